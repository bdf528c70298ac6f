namespace ReLICv2.Distributed;

/// <summary>The ranks' parameters stopped being identical: the run stops, naming the ranks that differ from rank 0.</summary>
public sealed class RankDivergedException : Exception
{
    public RankDivergedException(long step, IReadOnlyList<int> ranks, string message) : base(message)
    {
        Step = step;
        Ranks = ranks;
    }

    /// <summary>The step after which the checksums differed.</summary>
    public long Step { get; }

    /// <summary>The ranks whose checksum differs from rank 0's.</summary>
    public IReadOnlyList<int> Ranks { get; }
}
