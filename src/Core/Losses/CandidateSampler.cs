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
        CheckCounts(batch, k);
        return Draw(batch, k, 0, batch, generator, device);
    }

    /// <summary>Candidate indices for <paramref name="negatives"/>, or null when all batch elements are candidates.</summary>
    public static Tensor? Sample(long batch, Negatives negatives, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        return negatives.Count is { } k ? Sample(batch, k, generator, device) : null;
    }

    /// <summary>
    /// Rows <paramref name="firstRow"/> … <paramref name="firstRow"/> + <paramref name="rows"/> − 1 of
    /// <see cref="Sample(long, long, Generator, Device?)"/> for a batch of <paramref name="batch"/> anchors, [rows, 1 + k]
    /// with global indices: one rank's anchors of a data-parallel global batch. The generator advances exactly as for the
    /// whole batch (all N × (N − 1) keys are drawn), so ranks that start from the same generator state together hold the
    /// candidate sets a single process would draw for the global batch, and end in the state it would end in.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">batch is below 2, k is outside 1..batch − 1, rows is outside
    /// 1..batch, or firstRow is outside 0..batch − rows.</exception>
    public static Tensor SampleRows(long batch, long k, long firstRow, long rows, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        CheckCounts(batch, k);
        if (rows < 1 || rows > batch)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"CandidateSampler: rows must be in 1..{batch} (the batch) for a batch of {batch}.");
        if (firstRow < 0 || firstRow > batch - rows)
            throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"CandidateSampler: firstRow must be in 0..{batch - rows} (batch − rows) for {rows} rows of a batch of {batch}.");
        return Draw(batch, k, firstRow, rows, generator, device);
    }

    private static void CheckCounts(long batch, long k)
    {
        if (batch < 2) throw new ArgumentOutOfRangeException(nameof(batch), batch, "CandidateSampler: batch must be at least 2 to have a negative.");
        if (k < 1 || k > batch - 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"CandidateSampler: k must be in 1..{batch - 1} (batch − 1) for a batch of {batch}.");
    }

    private static Tensor Draw(long batch, long k, long firstRow, long rows, Generator generator, Device? device) => Torch.Scoped(() =>
    {
        var keys = Torch.Rand([batch, batch - 1], generator, DType.Float64, device);
        if (rows != batch) keys = keys.Narrow(0, firstRow, rows);               // this rank's anchors
        var j = keys.TopK(k, dim: 1).Indices;                                   // [rows, k] in 0..N−2
        var anchor = Torch.Arange(firstRow, firstRow + rows, 1, DType.Int64, device).Unsqueeze(1); // [rows, 1]
        // skip the anchor's own index: j ≥ i → j + 1, in Int64 throughout (Int64 + Int64 stays Int64)
        var shifted = j + j.Ge(anchor.ExpandAs(j)).To(DType.Int64);
        return Torch.Cat([anchor, shifted], 1);
    });
}
