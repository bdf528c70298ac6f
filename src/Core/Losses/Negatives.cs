namespace ReLICv2.Losses;

/// <summary>
/// The negatives of each anchor in a contrastive candidate set (docs/method.md §2): every other batch element
/// (<see cref="All"/>), or <see cref="Count"/> of them drawn uniformly without replacement per anchor, never the
/// anchor itself (paper ablation: 1, 10 and 4096 negatives; ~10 works best).
/// </summary>
public sealed record Negatives
{
    /// <summary>Creates a negatives choice; <paramref name="count"/> null means all other batch elements.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count is below 1.</exception>
    public Negatives(long? count)
    {
        if (count is < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Negatives.Count must be at least 1 (or null for all other batch elements).");
        Count = count;
    }

    /// <summary>Number of sampled negatives per anchor, or null for all N − 1 other batch elements.</summary>
    public long? Count { get; }

    /// <summary>Every other element of the batch is a negative (the candidate set is the whole batch).</summary>
    public static Negatives All { get; } = new((long?)null);

    /// <summary><paramref name="count"/> negatives per anchor, drawn uniformly without replacement from the other batch elements.</summary>
    public static Negatives Sample(long count) => new(count);

    /// <summary>True when every other batch element is used.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsAll => Count is null;

    /// <summary>"all" or the count.</summary>
    public override string ToString() => Count is { } k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all";
}
