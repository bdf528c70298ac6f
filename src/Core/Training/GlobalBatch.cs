namespace ReLICv2.Training;

/// <summary>
/// This rank's place in a data-parallel global batch (docs/distributed.md): R ranks each hold n rows of every view,
/// rank r holding global rows r·n … r·n + n − 1. An objective whose candidates span the batch (contrastive negatives,
/// the positive's column) scores its n local anchors against the R·n global candidates that <see cref="Gather"/> returns.
/// Gathered rows carry no gradient, so only stop-gradient operands may come from other ranks.
/// </summary>
public abstract class GlobalBatch
{
    /// <summary>Creates the context of rank <paramref name="rank"/> of <paramref name="worldSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">worldSize below 1, or rank outside [0, worldSize).</exception>
    protected GlobalBatch(int rank, int worldSize)
    {
        WorldSize = worldSize >= 1 ? worldSize
            : throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "GlobalBatch.WorldSize must be >= 1");
        Rank = rank >= 0 && rank < worldSize ? rank
            : throw new ArgumentOutOfRangeException(nameof(rank), rank, $"GlobalBatch.Rank must be in [0, {worldSize})");
    }

    /// <summary>This rank, in [0, <see cref="WorldSize"/>).</summary>
    public int Rank { get; }

    /// <summary>Number of ranks R.</summary>
    public int WorldSize { get; }

    /// <summary>Global index of local row 0 when every rank holds <paramref name="localRows"/> rows: Rank·n.</summary>
    public long RowOffset(long localRows) => Rank * localRows;

    /// <summary>
    /// The rows of every rank for one of the embedding tensors handed to the loss (an element of its online or target
    /// list), [n, D] → [R·n, D] in rank order, without autograd. Every rank must ask for the same tensors in the same order.
    /// </summary>
    public abstract Tensor Gather(Tensor local);
}
