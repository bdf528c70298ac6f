using Xunit;

namespace ReLICv2.Tests;

/// <summary>Late failures inside the shim, provoked by its fault injection (rs_debug_fail_after); reads the live-handle count.</summary>
[Collection(nameof(LiveCountCollection))]
public class ShimFaultTests
{
    public ShimFaultTests()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void A_gradient_call_that_fails_after_wrapping_some_results_leaks_no_handle()
    {
        using var scope = Torch.NewScope();
        var a = Torch.Ones([3], requiresGrad: true);
        var b = Torch.Full([3], 2.0, requiresGrad: true);
        var c = Torch.Full([3], 3.0, requiresGrad: true);
        var loss = (a * b * c).Sum();
        var before = Torch.LiveTensorCount;
        try
        {
            // The first gradient is wrapped, the second wrap fails (as if out of memory).
            TorchException.Check(Native.rs_debug_fail_after(1));
            var e = Assert.Throws<TorchException>(() => Torch.Grad([loss], [a, b, c], retainGraph: true));
            Assert.Contains("bad_alloc", e.Message);
        }
        finally
        {
            TorchException.Check(Native.rs_debug_fail_after(-1));
        }
        Assert.Equal(before, Torch.LiveTensorCount);
        // The graph is intact: the same call succeeds now.
        var grads = Torch.Grad([loss], [a, b, c]);
        Assert.Equal(new float[] { 6, 6, 6 }, grads[0]!.ToArray<float>());
        Assert.Equal(before + 3, Torch.LiveTensorCount);
    }

    [CacheInstalledFact]
    public void A_freed_block_the_cache_cannot_record_is_freed_instead_of_ending_the_process()
    {
        // An odd size (3 MiB + 24 bytes of float64) that no other allocation of the tests shares.
        long[] shape = [393_219];
        Torch.EmptyCpuCache();
        var t = Torch.Ones(shape, DType.Float64);
        var before = Torch.CpuCache;
        try
        {
            // The next fail point on this thread is the cache's bookkeeping when t's block is given back: it runs inside
            // libtorch's noexcept destructors, where a C++ exception means std::terminate.
            TorchException.Check(Native.rs_debug_fail_after(0));
            t.Dispose();
        }
        finally
        {
            TorchException.Check(Native.rs_debug_fail_after(-1));
        }
        Assert.Equal(before.IdleBytes, Torch.CpuCache.IdleBytes); // freed, not kept
        using var again = Torch.Ones(shape, DType.Float64);
        Assert.Equal(before.Misses + 1, Torch.CpuCache.Misses);
        Assert.All(again.ToArray<double>(), v => Assert.Equal(1.0, v));
    }
}
