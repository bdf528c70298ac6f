namespace ReLICv2.Distributed;

/// <summary>
/// How the pre-training engine runs over the ranks of a <see cref="ProcessGroup"/> (docs/distributed.md): synchronised
/// batch norm (on by default, as the SSL frameworks do under more than one rank), the gradient buckets, and how often a
/// parameter checksum is compared across ranks. Validated at construction.
/// </summary>
public sealed record DataParallelOptions
{
    public DataParallelOptions(bool synchronizeBatchNorm = true, int checksumEvery = 100, long firstBucketBytes = GradientReducer.DefaultFirstBucketBytes,
        long bucketBytes = GradientReducer.DefaultBucketBytes)
    {
        SynchronizeBatchNorm = synchronizeBatchNorm;
        ChecksumEvery = checksumEvery >= 1 ? checksumEvery
            : throw new ArgumentOutOfRangeException(nameof(checksumEvery), checksumEvery, "DataParallelOptions.ChecksumEvery must be >= 1 step");
        FirstBucketBytes = firstBucketBytes >= 1 ? firstBucketBytes
            : throw new ArgumentOutOfRangeException(nameof(firstBucketBytes), firstBucketBytes, "DataParallelOptions.FirstBucketBytes must be >= 1");
        BucketBytes = bucketBytes >= 1 ? bucketBytes
            : throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "DataParallelOptions.BucketBytes must be >= 1");
    }

    /// <summary>Batch norms of the online and target networks normalise with global-batch statistics.</summary>
    public bool SynchronizeBatchNorm { get; }

    /// <summary>Steps between comparisons of a parameter checksum across ranks (a divergence stops the run naming the rank).</summary>
    public int ChecksumEvery { get; }

    public long FirstBucketBytes { get; }

    public long BucketBytes { get; }
}
