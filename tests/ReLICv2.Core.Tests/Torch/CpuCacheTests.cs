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
            Torch.SetCpuCacheCapacity(Torch.DefaultCpuCacheMegabytes << 20);
        }
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
