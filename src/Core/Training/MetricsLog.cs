using System.Text.Json;

namespace ReLICv2.Training;

/// <summary>
/// Appends <see cref="MetricsRecord"/>s to a JSON-lines file, one flushed line per record, so that a run that is
/// stopped at any moment leaves every completed step readable. <see cref="Read"/> skips a torn last line.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly StreamWriter writer;

    /// <summary>Opens <paramref name="path"/> for appending (created when missing).</summary>
    public MetricsLog(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Append(MetricsRecord record) => writer.WriteLine(JsonSerializer.Serialize(record, Json));

    /// <summary>Every complete record of the file; a torn final line (a run killed mid-write) is ignored, a malformed line elsewhere is an error naming it.</summary>
    public static IReadOnlyList<MetricsRecord> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"metrics file '{path}' does not exist", path);
        var lines = File.ReadAllLines(path);
        var records = new List<MetricsRecord>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<MetricsRecord>(lines[i], Json)
                            ?? throw new JsonException("null record"));
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
                // The last line of a run stopped mid-write: every complete step before it is kept.
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}, line {i + 1}: not a metrics record ({e.Message})", e);
            }
        }
        return records;
    }

    /// <summary>
    /// Drops the records of <paramref name="path"/> after <paramref name="step"/>, and a torn last line, rewriting the file
    /// atomically (nothing is rewritten when there is nothing to drop). A run resumed from a checkpoint of step k repeats the
    /// steps after k that a stopped run had already logged; appending behind them would log those steps twice, and a torn
    /// last line would end up in the middle of the file.
    /// </summary>
    public static void DropAfter(string path, long step)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path).Count(l => !string.IsNullOrWhiteSpace(l));
        var kept = Read(path).Where(r => r.Step <= step).ToList();
        if (kept.Count == lines) return;
        AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(string.Concat(kept.Select(r => JsonSerializer.Serialize(r, Json) + Environment.NewLine))));
    }

    public void Dispose() => writer.Dispose();
}
