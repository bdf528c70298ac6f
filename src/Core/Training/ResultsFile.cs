using System.Text.Json;

namespace ReLICv2.Training;

/// <summary>
/// A run's accuracy table, <c>results.json</c> in its <see cref="RunDirectory"/>: a JSON array of
/// <see cref="AccuracyResult"/> with snake_case names, written atomically (the previous table stays whole until the new
/// one replaces it). The experiment runner writes it after each evaluation; the report reads it.
/// </summary>
public static class ResultsFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // Rows of the linear probe and k-NN have no corruption or severity: those fields are left out rather than null.
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The accuracy table of <paramref name="run"/>, or an empty list when there is none yet.</summary>
    /// <exception cref="InvalidDataException">results.json exists but is not an accuracy table (the message names the file).</exception>
    public static IReadOnlyList<AccuracyResult> Read(RunDirectory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!File.Exists(run.Results)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<AccuracyResult>>(File.ReadAllText(run.Results), Json) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{run.Results}: not an accuracy table ({e.Message})", e);
        }
    }

    /// <summary>
    /// Puts <paramref name="row"/> into the accuracy table of <paramref name="run"/>: in place of the row of the same encoder
    /// and protocol, or after the others (atomically, like <see cref="Write"/>).
    /// </summary>
    public static void Put(RunDirectory run, AccuracyResult row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var rows = Read(run).ToList();
        var at = rows.FindIndex(r => r.Encoder == row.Encoder && r.Protocol == row.Protocol);
        if (at >= 0) rows[at] = row;
        else rows.Add(row);
        Write(run, rows);
    }

    /// <summary>Replaces the accuracy table of <paramref name="run"/> atomically.</summary>
    public static void Write(RunDirectory run, IReadOnlyList<AccuracyResult> results)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(run.Root);
        AtomicFile.WriteAllBytes(run.Results, JsonSerializer.SerializeToUtf8Bytes(results, Json));
    }
}
