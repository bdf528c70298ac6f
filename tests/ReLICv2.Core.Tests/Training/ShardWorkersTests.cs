using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The fork-join worker threads behind data-parallel pre-training.</summary>
[Collection(nameof(LiveCountCollection))] // reads and compares process-wide thread counts: runs alone
public class ShardWorkersTests
{
    [Fact]
    public void Each_shard_runs_once_on_its_own_long_lived_thread_and_results_come_back_in_shard_order()
    {
        using var workers = new ShardWorkers(3);
        var first = workers.Run(i => (Index: i, Thread: Environment.CurrentManagedThreadId));
        var second = workers.Run(i => (Index: i, Thread: Environment.CurrentManagedThreadId));
        Assert.Equal([0, 1, 2], first.Select(r => r.Index));
        Assert.Equal(3, first.Select(r => r.Thread).Distinct().Count());
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, first.Select(r => r.Thread));
        Assert.Equal(first.Select(r => r.Thread), second.Select(r => r.Thread));
    }

    [PerThreadIntraOpFact]
    public void Workers_have_their_own_intra_op_thread_count_and_leave_the_callers_alone()
    {
        var before = Torch.NumThreads;
        using var workers = new ShardWorkers(2, intraOpThreads: 1);
        var perThread = workers.Run(_ => Torch.NumThreads);
        Assert.Equal([1, 1], perThread);
        Assert.Equal(before, Torch.NumThreads);
        // A thread started afterwards still starts from the process-wide count.
        var fresh = 0;
        var t = new Thread(() => fresh = Torch.NumThreads);
        t.Start();
        t.Join();
        Assert.Equal(before, fresh);
    }

    [Fact]
    public void The_first_failing_shard_rethrows_after_all_shards_finish_and_the_workers_stay_usable()
    {
        using var workers = new ShardWorkers(3);
        var finished = new bool[3];
        var e = Assert.Throws<InvalidOperationException>(() => workers.Run<int>(i =>
        {
            if (i >= 1) throw new InvalidOperationException($"shard {i} failed");
            Thread.Sleep(50);
            finished[i] = true;
            return i;
        }));
        Assert.Equal("shard 1 failed", e.Message);
        Assert.True(finished[0]);
        Assert.Equal([0, 2, 4], workers.Run(i => 2 * i));
    }

    [Fact]
    public void Invalid_counts_are_rejected_with_their_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ShardWorkers(0));
        Assert.Contains("count must be in [1, 64]", e.Message);
        Assert.Equal(0, e.ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardWorkers(2, intraOpThreads: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.SetThreadNumThreads(0));
    }
}

/// <summary>A fact about per-thread intra-op counts: skipped, with the reason, on one core or a libtorch without OpenMP.</summary>
public sealed class PerThreadIntraOpFactAttribute : FactAttribute
{
    public PerThreadIntraOpFactAttribute()
    {
        if (Torch.NumThreads < 2)
            Skip = $"libtorch runs {Torch.NumThreads} intra-op thread here: a worker's count of 1 cannot be told apart from the caller's";
        else if (!Torch.SetThreadNumThreads(Torch.NumThreads))
            Skip = "libtorch is built without OpenMP: intra-op thread counts are process-wide, not per thread";
    }
}
