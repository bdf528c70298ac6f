using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Loader tests share the process-wide prefetch-thread and tensor counters, so they run alone.</summary>
[CollectionDefinition(nameof(DataLoaderTests), DisableParallelization = true)]
public sealed class DataLoaderCollection;

[Collection(nameof(DataLoaderTests))]
public class DataLoaderTests
{
    /// <summary>Images whose single pixel equals their index (mod 256) and labels = index mod 3.</summary>
    private static InMemoryImageDataset Indexed(int count) =>
        new(Enumerable.Range(0, count).Select(i => (byte)(i % 256)).ToArray(), Enumerable.Range(0, count).Select(i => i % 3).ToArray(),
            1, 1, 1, ["a", "b", "c"]);

    [Fact]
    public void Every_index_appears_once_per_epoch_with_its_label()
    {
        var gen = Gen.Choose(1, 60).Three();
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (count, batchSize, depth) = (t.Item1, 1 + t.Item2 % 17, t.Item3 % 4);
            var loader = new DataLoader(Indexed(count), batchSize, seed: (ulong)t.Item2, prefetchDepth: depth);
            var seen = new List<int>();
            foreach (var batch in loader.Epoch(t.Item3 % 5))
            {
                using (batch)
                {
                    var px = batch.Images.ToArray<byte>();
                    var labels = batch.Labels.ToArray<long>();
                    for (var k = 0; k < batch.Count; k++)
                    {
                        if (px[k] != batch.Indices[k] % 256 || labels[k] != batch.Indices[k] % 3) return false;
                    }
                    seen.AddRange(batch.Indices);
                }
            }
            return seen.Count == count && seen.Order().SequenceEqual(Enumerable.Range(0, count))
                && loader.BatchesPerEpoch == (count + batchSize - 1) / batchSize;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true));
        Assert.Equal(0, DataLoader.LiveWorkers);
    }

    [Fact]
    public void Same_seed_and_epoch_give_the_same_order_and_epochs_or_seeds_differ()
    {
        var ds = Indexed(50);
        var a = new DataLoader(ds, 8, seed: 11);
        var b = new DataLoader(ds, 8, seed: 11);
        var c = new DataLoader(ds, 8, seed: 12);
        Assert.Equal(a.Order(3), b.Order(3));
        Assert.NotEqual(a.Order(3), a.Order(4));
        Assert.NotEqual(a.Order(3), c.Order(3));
        Assert.Equal(Enumerable.Range(0, 50), new DataLoader(ds, 8, shuffle: false).Order(7));
        var fromBatches = a.Epoch(3).SelectMany(batch => { using (batch) return batch.Indices; }).ToArray();
        Assert.Equal(a.Order(3), fromBatches);
    }

    [Fact]
    public void Drop_last_leaves_out_the_short_batch()
    {
        var loader = new DataLoader(Indexed(23), 5, dropLast: true);
        var sizes = loader.Epoch(0).Select(b => { using (b) return b.Count; }).ToArray();
        Assert.Equal(new[] { 5, 5, 5, 5 }, sizes);
        Assert.Equal(4, loader.BatchesPerEpoch);
        var keep = new DataLoader(Indexed(23), 5).Epoch(0).Select(b => { using (b) return b.Count; }).ToArray();
        Assert.Equal(new[] { 5, 5, 5, 5, 3 }, keep);
    }

    [Fact]
    public void Transform_runs_on_the_prefetch_thread_and_its_results_are_handed_over()
    {
        var consumer = Environment.CurrentManagedThreadId;
        var loader = new DataLoader(Indexed(12), 4, prefetchDepth: 2);
        var results = loader.Epoch(0, b =>
        {
            using var scope = Torch.NewScope(); // the transform frees its own temporaries
            return (Thread: Environment.CurrentManagedThreadId, Sum: b.Images.To(DType.Int64).Sum().ItemLong(), b.Indices);
        }).ToList();
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.NotEqual(consumer, r.Thread));
        Assert.All(results, r => Assert.Equal(r.Indices.Sum(), r.Sum));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_prefetch_thread_runs_its_transform_with_its_own_intra_op_threads_and_leaves_the_consumers_alone(int threads)
    {
        var before = Torch.NumThreads;
        var loader = new DataLoader(Indexed(12), 4, shuffle: false, prefetchDepth: 2, prefetchThreads: threads);
        var seen = loader.Epoch(0, b => Torch.NumThreads).ToList();
        if (!Torch.SetThreadNumThreads(before)) return;   // no OpenMP: the count is process-wide, nothing per thread to see
        Assert.Equal([threads, threads, threads], seen);
        Assert.Equal(before, Torch.NumThreads);
        Assert.Equal(threads, loader.PrefetchThreads);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Prefetch_threads_outside_1_to_256_are_refused_naming_the_field(int threads)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Indexed(4), 2, prefetchThreads: threads));
        Assert.Equal("prefetchThreads", e.ParamName);
        Assert.Contains("[1, 256]", e.Message);
    }

    [Fact]
    public void Worker_exceptions_surface_on_the_consumer_after_the_earlier_batches()
    {
        var loader = new DataLoader(Indexed(20), 5, shuffle: false, prefetchDepth: 3);
        var delivered = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var x in loader.Epoch(0, b => b.Indices[0] == 10 ? throw new InvalidOperationException("boom at 10") : b.Indices[0]))
                delivered++;
        });
        Assert.Equal("boom at 10", e.Message);
        Assert.Equal(2, delivered);
        Assert.Equal(0, DataLoader.LiveWorkers);
    }

    [Fact]
    public void Breaking_early_or_cancelling_stops_the_thread_and_frees_queued_batches()
    {
        var ds = Indexed(200);
        var before = SettledTensorCount();
        var loader = new DataLoader(ds, 4, prefetchDepth: 4);
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            break;
        }
        Assert.Equal(0, DataLoader.LiveWorkers);
        Assert.Equal(before, Torch.LiveTensorCount);

        using var cts = new CancellationTokenSource();
        var taken = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(1, cts.Token))
            {
                batch.Dispose();
                if (++taken == 3) cts.Cancel();
            }
        });
        Assert.Equal(3, taken);
        Assert.Equal(0, DataLoader.LiveWorkers);
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void A_full_epoch_with_prefetch_leaks_no_tensors()
    {
        var ds = new SyntheticDataset(30, size: 8, seed: 4);
        var before = SettledTensorCount();
        foreach (var batch in new DataLoader(ds, 7, prefetchDepth: 2).Epoch(2))
            batch.Dispose();
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    /// <summary>The live tensor count after finalizers of other tests' unreachable tensors have run.</summary>
    private static long SettledTensorCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Torch.LiveTensorCount;
    }

    [Fact]
    public void Invalid_settings_are_rejected_naming_the_field()
    {
        var ds = Indexed(10);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, 0)).ParamName);
        Assert.Equal("prefetchDepth", Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, 2, prefetchDepth: -1)).ParamName);
        Assert.Equal("dropLast", Assert.Throws<ArgumentException>(() => new DataLoader(ds, 11, dropLast: true)).ParamName);
    }
}
