using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace ReLICv2.Tests;

/// <summary>Scopes free what they own; the live-handle count shows leaks.</summary>
[Collection(nameof(LiveCountCollection))]
public class MemoryTests
{
    private readonly ITestOutputHelper output;

    public MemoryTests(ITestOutputHelper output)
    {
        this.output = output;
        // Let the finalizers of other tests' unscoped tensors run first, so that they do not move the count mid-test.
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void Ten_thousand_scoped_forward_backward_iterations_leave_the_live_handle_count_unchanged()
    {
        using var gen = new Generator(3);
        var w = Torch.Randn([16, 8], gen).DetachFromScope().RequireGrad();
        var x = Torch.Randn([4, 8], gen).DetachFromScope();
        var labels = Torch.FromArray(new long[] { 1, 3, 5, 7 }).DetachFromScope();
        // Warm up once so that libtorch's lazily created state is not counted.
        using (Torch.NewScope()) Torch.CrossEntropy(Torch.Linear(x, w), labels).Backward();
        w.Grad = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var before = Torch.LiveTensorCount;
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;
        for (var i = 0; i < 10_000; i++)
        {
            using var scope = Torch.NewScope();
            var loss = Torch.CrossEntropy(Torch.Linear(x, w).Relu(), labels);
            loss.Backward();
            using (Torch.NoGrad()) w.Add_(w.Grad!, -1e-3);
            w.Grad = null;
        }
        var after = Torch.LiveTensorCount;
        var rssAfter = Process.GetCurrentProcess().WorkingSet64;
        output.WriteLine($"live tensors {before} -> {after}; resident memory {rssBefore / 1048576.0:F1} MiB -> {rssAfter / 1048576.0:F1} MiB");
        Console.WriteLine($"[leak test] resident memory before {rssBefore / 1048576.0:F1} MiB, after 10000 iterations {rssAfter / 1048576.0:F1} MiB");
        Assert.Equal(before, after);
        foreach (var t in new[] { w, x, labels }) t.Dispose();
    }

    [Fact]
    public void Scope_disposes_what_it_created_except_what_was_moved_out()
    {
        var before = Torch.LiveTensorCount;
        Tensor kept, detached;
        using (var scope = Torch.NewScope())
        {
            var a = Torch.Ones(3);
            var b = a * 2;
            kept = scope.MoveOut(b + 1);
            detached = (a - 1).DetachFromScope();
            Assert.Equal(2, scope.Count); // a and b; the moved and the detached tensors are no longer its own
        }
        Assert.False(kept.IsDisposed);
        Assert.False(detached.IsDisposed);
        Assert.Equal(new float[] { 3, 3, 3 }, kept.ToArray<float>());
        Assert.Equal(before + 2, Torch.LiveTensorCount);
        kept.Dispose();
        detached.Dispose();
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void Nested_scopes_move_results_one_level_out()
    {
        var before = Torch.LiveTensorCount;
        using (var outer = Torch.NewScope())
        {
            Tensor result;
            using (var inner = Torch.NewScope())
            {
                result = (Torch.Ones(2) * 5).MoveToOuterScope();
                Assert.Equal(1, inner.Count);
            }
            Assert.False(result.IsDisposed);
            Assert.Equal(1, outer.Count);
        }
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void Scoped_function_returns_its_result_and_frees_temporaries()
    {
        var before = Torch.LiveTensorCount;
        var r = Torch.Scoped(() => (Torch.Ones(4) * 3).Sum());
        Assert.Equal(12.0, r.Item());
        Assert.Equal(before + 1, Torch.LiveTensorCount);
        r.Dispose();
        var v = Torch.ScopedValue(() => (Torch.Ones(4) * 3).Sum().Item());
        Assert.Equal(12.0, v);
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void Out_of_order_disposal_is_tolerated()
    {
        var before = Torch.LiveTensorCount;
        var outer = Torch.NewScope();
        var a = Torch.Ones(1);
        var inner = Torch.NewScope();
        var b = Torch.Ones(1);
        outer.Dispose();
        Assert.True(a.IsDisposed);
        Assert.False(b.IsDisposed);
        inner.Dispose();
        inner.Dispose();
        Assert.True(b.IsDisposed);
        Assert.Null(TensorScope.Current);
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void Unscoped_tensors_are_freed_by_the_garbage_collector()
    {
        var before = Torch.LiveTensorCount;
        static void MakeGarbage()
        {
            for (var i = 0; i < 100; i++) _ = Torch.Ones(2) + 1;
        }
        MakeGarbage();
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(before, Torch.LiveTensorCount);
    }
}

/// <summary>Tests that read the process-wide live-tensor count run one at a time.</summary>
[CollectionDefinition(nameof(LiveCountCollection), DisableParallelization = true)]
public class LiveCountCollection;
