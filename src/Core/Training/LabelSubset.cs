using System.Text.Json;
using System.Text.Json.Serialization;
using ReLICv2.Data;

namespace ReLICv2.Training;

/// <summary>
/// The labelled part of a training split for semi-supervised fine-tuning (docs/evaluation.md §1; the 1 % / 10 % subsets of
/// the paper's appendix B.2): a class-balanced sample drawn with a fixed seed. Class c of n_c images gets ⌊f·n_c⌋ or
/// ⌈f·n_c⌉ of them — the floors first, then one more to the classes with the largest remainders f·n_c − ⌊f·n_c⌋ (ties to
/// the lower class) until the subset holds round(f·N) images — each class's images a seeded permutation's prefix.
/// Saved as JSON beside the run so that every later fine-tuning (and the random-init comparison) uses the same labels.
/// </summary>
public sealed record LabelSubset
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };

    /// <summary>Creates a subset value; the indices must be unique and lie in [0, <paramref name="sourceCount"/>).</summary>
    [JsonConstructor]
    public LabelSubset(double fraction, ulong seed, int sourceCount, IReadOnlyList<int> indices)
    {
        Fraction = fraction is > 0 and <= 1 ? fraction : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "LabelSubset.Fraction must be in (0, 1]");
        SourceCount = sourceCount >= 1 ? sourceCount : throw new ArgumentOutOfRangeException(nameof(sourceCount), sourceCount, "LabelSubset.SourceCount must be >= 1");
        ArgumentNullException.ThrowIfNull(indices);
        var seen = new HashSet<int>();
        foreach (var i in indices)
        {
            if (i < 0 || i >= sourceCount)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"LabelSubset.Indices must lie in [0, {sourceCount}) (the training split's images)");
            if (!seen.Add(i)) throw new ArgumentException($"LabelSubset.Indices holds image {i} twice; every index must be unique", nameof(indices));
        }
        Seed = seed;
        Indices = [.. indices];
    }

    /// <summary>The fraction f of the training split that keeps its labels, in (0, 1].</summary>
    public double Fraction { get; }

    /// <summary>The seed the subset was drawn with.</summary>
    public ulong Seed { get; }

    /// <summary>Images in the training split the subset was drawn from.</summary>
    public int SourceCount { get; }

    /// <summary>The labelled images' indices into the training split, grouped by class.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Draws the class-balanced subset of <paramref name="data"/> (see the type's summary).</summary>
    public static LabelSubset Draw(IImageDataset data, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Draw(Enumerable.Range(0, data.Count).Select(data.Label).ToArray(), data.ClassCount, fraction, seed);
    }

    /// <summary>Draws the class-balanced subset of images with <paramref name="labels"/> in [0, <paramref name="classCount"/>).</summary>
    public static LabelSubset Draw(IReadOnlyList<int> labels, int classCount, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "LabelSubset: classCount must be >= 1");
        if (fraction is not (> 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "LabelSubset: fraction must be in (0, 1]");
        var byClass = Enumerable.Range(0, classCount).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < labels.Count; i++)
        {
            var y = labels[i];
            if (y < 0 || y >= classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), y, $"LabelSubset: image {i} has label {y}; a labelled subset needs every label in [0, {classCount})");
            byClass[y].Add(i);
        }
        var exact = byClass.Select(c => fraction * c.Count).ToArray();
        var take = exact.Select(e => (int)Math.Floor(e)).ToArray();
        var target = (int)Math.Round(fraction * labels.Count, MidpointRounding.AwayFromZero);
        var byRemainder = Enumerable.Range(0, classCount).Where(c => take[c] < byClass[c].Count)
            .OrderByDescending(c => exact[c] - take[c]).ThenBy(c => c).ToArray();
        for (var k = 0; k < byRemainder.Length && take.Sum() < target; k++)
            if (exact[byRemainder[k]] > take[byRemainder[k]]) take[byRemainder[k]]++;
        var indices = new List<int>(target);
        var state = seed ^ 0x5851F42D4C957F2DUL;
        for (var c = 0; c < classCount; c++)
        {
            var members = byClass[c].ToArray();
            for (var i = members.Length - 1; i > 0; i--)
            {
                var j = (int)(Next(ref state) % (ulong)(i + 1));
                (members[i], members[j]) = (members[j], members[i]);
            }
            indices.AddRange(members.Take(take[c]).Order());
        }
        return new LabelSubset(fraction, seed, labels.Count, indices);
    }

    /// <summary>Writes the subset as JSON to <paramref name="path"/> (atomically).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));
    }

    /// <summary>Reads a subset written by <see cref="Save"/>, validating it.</summary>
    /// <exception cref="InvalidDataException">The file is not a label subset; the message names the file and what is wrong.</exception>
    public static LabelSubset Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return JsonSerializer.Deserialize<LabelSubset>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"label subset '{path}' holds null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"label subset '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks that the subset was drawn from a split of <paramref name="count"/> images; a subset of another split (another
    /// dataset, another train limit) would silently label the wrong images.
    /// </summary>
    public LabelSubset CheckFits(int count, string what) => SourceCount == count ? this
        : throw new ArgumentException($"the label subset was drawn from {SourceCount} training images but {what} has {count}; draw a new one (omit the subset file)");

    public bool Equals(LabelSubset? other) =>
        other is not null && Fraction.Equals(other.Fraction) && Seed == other.Seed && SourceCount == other.SourceCount && Indices.SequenceEqual(other.Indices);

    public override int GetHashCode() => HashCode.Combine(Fraction, Seed, SourceCount, Indices.Count);

    // SplitMix64: the same sequence on every platform and runtime, so a seed names one subset forever.
    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
