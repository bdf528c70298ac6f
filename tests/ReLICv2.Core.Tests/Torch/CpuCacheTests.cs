using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The caching CPU allocator hands a freed block back to the next request of its size, keeps at most its capacity idle,
/// and never lets a recycled block's old contents show through an initialising factory. The counters are process-wide,
/// so these tests run alone (the live-count collection runs one test at a time).
/// </summary>
[Collection(nameof(LiveCountCollection))]
public class CpuCacheTests
{
    // An odd size (3 MiB + 8 bytes of float64) that no other allocation of the test shares.
    private static readonly long[] Shape = [393_217];
    private const long Bytes = 393_217 * 8;

    [CacheInstalledFact]
    public void A_freed_block_is_reused_for_the_next_request_of_its_size_and_initialising_factories_overwrite_it()
    {
        Torch.EmptyCpuCache();
        var start = Torch.CpuCache;
        Assert.Equal(0, start.IdleBytes);

        Torch.Full(Shape, 7.0, DType.Float64).Dispose();
        var afterFree = Torch.CpuCache;
        Assert.Equal(start.Misses + 1, afterFree.Misses);
        Assert.Equal(Bytes, afterFree.IdleBytes);

        // The uninitialised factory gets the very block back: it still holds the sevens.
        using (var reused = Torch.Empty(Shape, DType.Float64))
        {
            var stats = Torch.CpuCache;
            Assert.Equal(afterFree.Hits + 1, stats.Hits);
            Assert.Equal(0, stats.IdleBytes);
            Assert.All(reused.ToArray<double>(), v => Assert.Equal(7.0, v));
        }

        using (var zeros = Torch.Zeros(Shape, DType.Float64))
        {
            Assert.Equal(afterFree.Hits + 2, Torch.CpuCache.Hits);
            Assert.All(zeros.ToArray<double>(), v => Assert.Equal(0.0, v));
        }
        Torch.EmptyCpuCache();
        Assert.Equal(0, Torch.CpuCache.IdleBytes);
    }

    [CacheInstalledFact]
    public void Blocks_beyond_the_capacity_are_freed_and_small_blocks_are_left_to_the_c_library()
    {
        Torch.EmptyCpuCache();
        try
        {
            Torch.SetCpuCacheCapacity(Bytes);
            var a = Torch.Ones(Shape, DType.Float64);
            var b = Torch.Ones(Shape, DType.Float64);
            a.Dispose();
            b.Dispose();   // a fills the capacity, so b is freed
            Assert.Equal(Bytes, Torch.CpuCache.IdleBytes);
            Assert.Equal(Bytes, Torch.CpuCache.CapacityBytes);

            var before = Torch.CpuCache;
            Torch.Ones([1000], DType.Float64).Dispose();   // 8 kB: below the smallest cached block
            Assert.Equal(before, Torch.CpuCache);

            Torch.SetCpuCacheCapacity(0);   // lowering the capacity below what is idle frees it
            Assert.Equal(0, Torch.CpuCache.IdleBytes);
        }
        finally
        {
            Torch.SetCpuCacheCapacity(Torch.DefaultCpuCacheBytes);
        }
    }

    [CacheInstalledFact]
    public void Concurrent_allocations_and_frees_on_several_threads_count_every_request_and_never_share_a_block()
    {
        // The workers allocate blocks of one shared odd size (1 MiB and a little, float32; shards ask for equal sizes too),
        // fill them with values of their own, check them after the others had time to run, and free them; another thread
        // empties the cache and reads the counters meanwhile. Every request of a cacheable size is exactly one hit or one
        // miss; a block handed to two owners at once would show as foreign values.
        const int workers = 4, rounds = 300, perRound = 2;
        Torch.EmptyCpuCache();
        var start = Torch.CpuCache;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var done = new CountdownEvent(workers);
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                Torch.SetThreadNumThreads(1);
                const long size = 262_153;
                for (var r = 0; r < rounds; r++)
                {
                    var held = new Tensor[perRound];
                    for (var k = 0; k < perRound; k++) held[k] = Torch.Full([size], w * 1000 + r * perRound + k).DetachFromScope();
                    Thread.Yield();
                    for (var k = 0; k < perRound; k++)
                    {
                        using var t = held[k];
                        using var same = t.Eq((double)(w * 1000 + r * perRound + k));
                        using var all = same.All();
                        if (all.Item() != 1) errors.Enqueue($"worker {w}, round {r}, tensor {k}: values changed while it was held");
                    }
                }
            }
            catch (Exception e)
            {
                errors.Enqueue($"worker {w}: {e.Message}");
            }
            finally
            {
                done.Signal();
            }
        }) { IsBackground = true }).ToList();
        var meddler = new Thread(() =>
        {
            while (!done.IsSet)
            {
                Torch.EmptyCpuCache();
                var stats = Torch.CpuCache;
                if (stats.IdleBytes > stats.CapacityBytes) errors.Enqueue($"idle {stats.IdleBytes} bytes above the capacity {stats.CapacityBytes}");
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        foreach (var t in threads) t.Start();
        meddler.Start();
        Assert.True(done.Wait(TimeSpan.FromSeconds(60)), "the workers did not finish within 60 s");
        meddler.Join();
        Assert.Empty(errors);
        var end = Torch.CpuCache;
        Assert.Equal((long)workers * rounds * perRound, end.Hits + end.Misses - start.Hits - start.Misses);
        Assert.True(end.Hits - start.Hits > 0, "no block was ever reused");
        Assert.True(end.IdleBytes <= end.CapacityBytes);
        Torch.EmptyCpuCache();
        Assert.Equal(0, Torch.CpuCache.IdleBytes);
    }

    [Fact]
    public void A_negative_capacity_is_rejected_with_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Torch.SetCpuCacheCapacity(-1));
        Assert.Equal("bytes", e.ParamName);
        Assert.Equal(-1L, e.ActualValue);
    }
}

/// <summary>A fact that needs the caching allocator installed: skipped, with the reason, under RELIC_CPU_CACHE_MB=0.</summary>
public sealed class CacheInstalledFactAttribute : FactAttribute
{
    public CacheInstalledFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RELIC_CPU_CACHE_MB")?.Trim() == "0")
            Skip = "RELIC_CPU_CACHE_MB=0 leaves libtorch's own allocator in place: there is no cache to observe";
    }
}
