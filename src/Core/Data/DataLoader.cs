using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace ReLICv2.Data;

/// <summary>
/// Feeds a dataset to training in mini-batches (docs/architecture.md §1: Dataset → Loader → views): a seeded permutation per epoch
/// (the same seed and epoch give the same order; epochs differ), fixed-size batches with an optional dropped remainder,
/// labels carried along, and a background prefetch thread that assembles (decodes) batches and runs an optional
/// per-batch transform — where augmentation plugs in — ahead of the consumer through a bounded queue of
/// <see cref="PrefetchDepth"/> items, so that decoding and augmentation overlap network compute.
/// </summary>
/// <remarks>
/// Ownership: every item handed out belongs to the consumer (dispose each <see cref="Batch"/>, or each transform result
/// that is <see cref="IDisposable"/>). Tensors made on the prefetch thread are created outside any
/// <see cref="TensorScope"/> (scopes are per thread) and so are never freed behind the consumer's back. A transform
/// receives a batch the loader disposes once the transform returns, unless the transform returns that very batch;
/// a result that keeps one of its tensors must hold its own handle (<c>batch.Labels.Alias()</c>), and a transform
/// should free its temporaries in a scope of its own and move its results out of it.
/// Ending an enumeration early (break, dispose, cancellation) stops and joins the thread and disposes the items still
/// queued. An exception on the prefetch thread is rethrown to the consumer, with its original type and stack, after the
/// batches produced before it.
/// </remarks>
public sealed class DataLoader
{
    private static int liveWorkers;

    /// <param name="dataset">The images.</param>
    /// <param name="batchSize">Images per batch, &gt; 0.</param>
    /// <param name="shuffle">Visit the images in a seeded random order per epoch (otherwise in index order).</param>
    /// <param name="seed">Seed of the per-epoch permutations.</param>
    /// <param name="dropLast">Leave out the last batch when it has fewer than <paramref name="batchSize"/> images.</param>
    /// <param name="prefetchDepth">Batches prepared ahead on the prefetch thread, in [0, 64]; 0 = no thread, batches are
    /// made on the consumer's thread when asked for.</param>
    /// <param name="rank">This rank of a data-parallel job, in [0, <paramref name="worldSize"/>).</param>
    /// <param name="worldSize">Ranks R sharing each epoch (the distributed sampler): every rank draws the same permutation,
    /// cuts it into global batches of R·<paramref name="batchSize"/> images, and takes its own contiguous
    /// <paramref name="batchSize"/> of each, so the ranks' shards are disjoint and together cover the epoch (less the
    /// last incomplete global batch, which is dropped: <paramref name="dropLast"/> must be true when R &gt; 1).</param>
    /// <param name="prefetchThreads">libtorch intra-op threads of the prefetch thread, in [1, 256] (default 1): the views are
    /// made there while the training step's own intra-op threads compute, so a single thread keeps the two from competing
    /// for the same cores (docs/benchmarks.md §6).</param>
    public DataLoader(IImageDataset dataset, int batchSize, bool shuffle = true, ulong seed = 0, bool dropLast = false, int prefetchDepth = 2,
        int rank = 0, int worldSize = 1, int prefetchThreads = 1)
    {
        if (prefetchThreads is < 1 or > 256)
            throw new ArgumentOutOfRangeException(nameof(prefetchThreads), prefetchThreads, "prefetchThreads must be in [1, 256]");
        PrefetchThreads = prefetchThreads;
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "worldSize must be >= 1");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [0, {worldSize})");
        if (worldSize > 1 && !dropLast)
            throw new ArgumentException($"a loader sharded over {worldSize} ranks drops the last incomplete global batch: pass dropLast: true", nameof(dropLast));
        if (dataset is not null && (long)batchSize * worldSize > dataset.Count && worldSize > 1)
            throw new ArgumentException($"a global batch of {worldSize} ranks x {batchSize} images is larger than the dataset of {dataset.Count} images", nameof(batchSize));
        Rank = rank;
        WorldSize = worldSize;
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be > 0");
        if (prefetchDepth is < 0 or > 64)
            throw new ArgumentOutOfRangeException(nameof(prefetchDepth), prefetchDepth, "prefetchDepth must be in [0, 64]");
        if (dropLast && dataset.Count < batchSize)
            throw new ArgumentException($"dropLast with batchSize {batchSize} leaves no batch of a dataset of {dataset.Count} images", nameof(dropLast));
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        PrefetchDepth = prefetchDepth;
    }

    public IImageDataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public bool DropLast { get; }
    public int PrefetchDepth { get; }

    /// <summary>libtorch intra-op threads of the prefetch thread (the decoding and the transform run on them).</summary>
    public int PrefetchThreads { get; }

    /// <summary>This rank's shard of each global batch (0 in a single process).</summary>
    public int Rank { get; }

    /// <summary>Ranks sharing each epoch (1 in a single process).</summary>
    public int WorldSize { get; }

    /// <summary>Number of prefetch threads running in this process (zero once every enumeration has ended).</summary>
    public static int LiveWorkers => Volatile.Read(ref liveWorkers);

    /// <summary>Batches per epoch: ⌊Count/B⌋ with drop-last, ⌈Count/B⌉ without.</summary>
    public int BatchesPerEpoch => DropLast ? Dataset.Count / (BatchSize * WorldSize) : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// The order in which <paramref name="epoch"/> visits the dataset: a Fisher–Yates permutation driven by a
    /// SplitMix64 stream seeded from (Seed, epoch), or 0…Count−1 without shuffling. Pure: equal inputs, equal orders.
    /// </summary>
    public IReadOnlyList<int> Order(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be >= 0");
        var order = new int[Dataset.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        if (!Shuffle) return order;
        var state = Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(SplitMix64(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The dataset indices of every batch of <paramref name="epoch"/>, in order.</summary>
    public IReadOnlyList<IReadOnlyList<int>> BatchIndices(int epoch)
    {
        var order = Order(epoch);
        var batches = new List<IReadOnlyList<int>>(BatchesPerEpoch);
        if (WorldSize > 1)
        {
            for (var k = 0; k < BatchesPerEpoch; k++)
                batches.Add(order.Skip((k * WorldSize + Rank) * BatchSize).Take(BatchSize).ToArray());
            return batches;
        }
        for (var start = 0; start < order.Count; start += BatchSize)
        {
            var size = Math.Min(BatchSize, order.Count - start);
            if (size < BatchSize && DropLast) break;
            batches.Add(order.Skip(start).Take(size).ToArray());
        }
        return batches;
    }

    /// <summary>The batches of <paramref name="epoch"/>, prepared on the prefetch thread (see the remarks on ownership).</summary>
    public IEnumerable<Batch> Epoch(int epoch, CancellationToken cancellationToken = default) =>
        Epoch(epoch, static b => b, cancellationToken);

    /// <summary>
    /// The batches of <paramref name="epoch"/> passed through <paramref name="transform"/> on the prefetch thread
    /// (e.g. building the augmented views of a view set).
    /// </summary>
    public IEnumerable<T> Epoch<T>(int epoch, Func<Batch, T> transform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transform);
        var batches = BatchIndices(epoch);
        return PrefetchDepth == 0 ? Inline(batches, transform, cancellationToken) : Prefetched(batches, transform, cancellationToken);
    }

    private T Produce<T>(IReadOnlyList<int> indices, Func<Batch, T> transform)
    {
        var batch = Dataset.GetBatch(indices);
        T result;
        try
        {
            result = transform(batch);
        }
        catch
        {
            batch.Dispose();
            throw;
        }
        if (!ReferenceEquals(result, batch)) batch.Dispose();
        return result;
    }

    private IEnumerable<T> Inline<T>(IReadOnlyList<IReadOnlyList<int>> batches, Func<Batch, T> transform, CancellationToken ct)
    {
        foreach (var indices in batches)
        {
            ct.ThrowIfCancellationRequested();
            yield return Produce(indices, transform);
        }
    }

    private IEnumerable<T> Prefetched<T>(IReadOnlyList<IReadOnlyList<int>> batches, Func<Batch, T> transform, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var queue = new BlockingCollection<T>(PrefetchDepth);
        ExceptionDispatchInfo? failure = null;
        var token = stop.Token;
        var worker = new Thread(() =>
        {
            try
            {
                Torch.SetThreadNumThreads(PrefetchThreads);
                foreach (var indices in batches)
                {
                    token.ThrowIfCancellationRequested();
                    var item = Produce(indices, transform);
                    try
                    {
                        queue.Add(item, token);
                    }
                    catch
                    {
                        (item as IDisposable)?.Dispose();
                        throw;
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // the consumer stopped the enumeration
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                queue.CompleteAdding();
                Interlocked.Decrement(ref liveWorkers);
            }
        })
        {
            IsBackground = true,
            Name = "ReLICv2 DataLoader prefetch",
        };
        Interlocked.Increment(ref liveWorkers);
        worker.Start();
        try
        {
            while (queue.TryTake(out var item, Timeout.Infinite, ct))
                yield return item;
            worker.Join();
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            worker.Join();
            while (queue.TryTake(out var left)) (left as IDisposable)?.Dispose();
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
