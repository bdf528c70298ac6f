namespace ReLICv2.Distributed;

/// <summary>
/// Averages gradients over the ranks of a <see cref="ProcessGroup"/> while backward is still running, as c10d's
/// DistributedDataParallel does (docs/distributed.md): the parameters are grouped into buckets in reverse order (the
/// order backward produces their gradients) — a small first bucket, then buckets of about 25 MiB — and a post-hook on
/// each parameter's gradient accumulator (kept alive by the shim) marks it ready; a bucket whose parameters are all ready
/// is copied into one flat buffer and all-reduced asynchronously, buckets in order on every rank. <see cref="Finish"/>
/// launches what backward left (a parameter without a gradient counts as zeros), waits, and writes the mean over ranks
/// into every parameter's gradient. Hooks act only between <see cref="Prepare"/> and <see cref="Finish"/>.
/// </summary>
public sealed class GradientReducer : IDisposable
{
    /// <summary>Default size of the first bucket: 1 MiB, so communication starts early in backward.</summary>
    public const long DefaultFirstBucketBytes = 1L << 20;

    /// <summary>Default size of the other buckets: 25 MiB.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly NativeObject reducer;
    private readonly IReadOnlyList<Tensor> parameters;

    /// <exception cref="ArgumentOutOfRangeException">A bucket size is below 1 byte.</exception>
    /// <exception cref="TorchException">A parameter is not a leaf that requires gradients, or dtypes differ.</exception>
    public unsafe GradientReducer(ProcessGroup group, IReadOnlyList<Tensor> parameters, long firstBucketBytes = DefaultFirstBucketBytes,
        long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameters);
        if (firstBucketBytes < 1) throw new ArgumentOutOfRangeException(nameof(firstBucketBytes), firstBucketBytes, "GradientReducer: firstBucketBytes must be >= 1");
        if (bucketBytes < 1) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "GradientReducer: bucketBytes must be >= 1");
        Group = group;
        this.parameters = [.. parameters];
        using var pinned = new Torch.PinnedHandles(this.parameters);
        IntPtr created;
        fixed (IntPtr* p = pinned.Pointers)
            TorchException.Check(Native.rs_reducer_new(group.Pointer, p, this.parameters.Count, firstBucketBytes, bucketBytes, out created));
        reducer = new NativeObject(created, Native.rs_reducer_free);
        TorchException.Check(Native.rs_reducer_bucket_count(reducer.Get(nameof(GradientReducer)), out var count));
        var buckets = new List<IReadOnlyList<int>>();
        var indices = new int[this.parameters.Count];
        for (var b = 0; b < count; b++)
            fixed (int* ix = indices)
            {
                TorchException.Check(Native.rs_reducer_bucket(reducer.Get(nameof(GradientReducer)), b, ix, indices.Length, out var n));
                buckets.Add(indices[..n]);
            }
        Buckets = buckets;
    }

    public ProcessGroup Group { get; }

    /// <summary>The parameter indices of each bucket, in launch order (the first holds the last parameters).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Buckets { get; }

    /// <summary>Arms the hooks for the next backward pass.</summary>
    public void Prepare() => TorchException.Check(Native.rs_reducer_prepare(reducer.Get(nameof(GradientReducer))));

    /// <summary>Completes the all-reduce of every bucket and writes the mean gradients; returns what it cost.</summary>
    public GradientReduction Finish()
    {
        TorchException.Check(Native.rs_reducer_finalize(reducer.Get(nameof(GradientReducer)), out var wait, out var bytes, out var launched));
        GC.KeepAlive(parameters);
        return new GradientReduction(wait, bytes, launched, Buckets.Count);
    }

    public void Dispose() => reducer.Dispose();
}
