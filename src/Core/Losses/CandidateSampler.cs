namespace ReLICv2.Losses;

/// <summary>
/// Candidate sets for sub-sampled negatives (docs/method.md §2): for each anchor i, C_i = {i} ∪ negatives_i with the
/// negatives drawn uniformly without replacement from {0..N−1} \ {i}.
/// </summary>
public static class CandidateSampler
{
    /// <summary>
    /// Int64 indices [N, 1 + k]: column 0 is the anchor itself (the positive), columns 1..k are k distinct
    /// negatives, uniform over the k-subsets of the other N − 1 indices, drawn from <paramref name="generator"/>
    /// in one batched call (the k largest of N − 1 uniform keys per row).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">batch is below 2, or k is outside 1..batch − 1.</exception>
    public static Tensor Sample(long batch, long k, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (batch < 2) throw new ArgumentOutOfRangeException(nameof(batch), batch, "CandidateSampler: batch must be at least 2 to have a negative.");
        if (k < 1 || k > batch - 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"CandidateSampler: k must be in 1..{batch - 1} (batch − 1) for a batch of {batch}.");
        return Torch.Scoped(() =>
        {
            var keys = Torch.Rand([batch, batch - 1], generator, DType.Float64, device);
            var j = keys.TopK(k, dim: 1).Indices;                              // [N, k] in 0..N−2
            var anchor = Torch.Arange(0, batch, 1, DType.Int64, device).Unsqueeze(1); // [N, 1]
            // skip the anchor's own index: j ≥ i → j + 1 (in float64: the engine's integer Add rejects its double alpha)
            var shifted = (j.To(DType.Float64) + j.Ge(anchor.ExpandAs(j)).To(DType.Float64)).To(DType.Int64);
            return Torch.Cat([anchor, shifted], 1);
        });
    }

    /// <summary>Candidate indices for <paramref name="negatives"/>, or null when all batch elements are candidates.</summary>
    public static Tensor? Sample(long batch, Negatives negatives, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        return negatives.Count is { } k ? Sample(batch, k, generator, device) : null;
    }
}
