using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReLICv2.Distributed;
using Xunit;

namespace ReLICv2.Tests.Distributed;

public class ProcessGroupTests
{
    [Fact]
    public void This_build_has_the_gloo_backend() => Assert.True(ProcessGroup.GlooAvailable, "the shim was built without c10d/Gloo (libgloo-dev missing at build time)");

    [Fact]
    public void All_reduce_sums_and_takes_extremes_over_ranks()
    {
        var results = Ranks.Run(3, g =>
        {
            using var scope = Torch.NewScope();
            var x = Torch.FromArray(new[] { 1.0 + g.Rank, 10.0 * g.Rank, -g.Rank }, [3]).To(DType.Float32);
            var y = x.Clone();
            g.AllReduce(x);
            g.AllReduce(y, ReduceOp.Max);
            return (x.ToArray<float>(), y.ToArray<float>());
        });
        foreach (var (sum, max) in results)
        {
            Assert.Equal(new float[] { 6, 30, -3 }, sum);
            Assert.Equal(new float[] { 3, 20, 0 }, max);
        }
    }

    [Fact]
    public void Broadcast_overwrites_every_rank_with_the_roots_values_and_all_gather_concatenates_in_rank_order()
    {
        var results = Ranks.Run(2, g =>
        {
            using var scope = Torch.NewScope();
            var a = Torch.Full([2, 2], g.Rank + 5, DType.Float32);
            using (var work = g.BroadcastAsync([a], root: 1)) work.Wait();
            var gathered = g.AllGather(Torch.Full([1, 3], g.Rank, DType.Float64));
            return (a.ToArray<float>(), gathered.Shape, gathered.ToArray<double>());
        });
        foreach (var (a, shape, gathered) in results)
        {
            Assert.All(a, v => Assert.Equal(6f, v));
            Assert.Equal(new long[] { 2, 3 }, shape);
            Assert.Equal(new double[] { 0, 0, 0, 1, 1, 1 }, gathered);
        }
    }

    [Fact]
    public void The_differentiable_sum_back_propagates_the_sum_of_every_ranks_gradient()
    {
        // L_r = Σ_i c_r,i · (Σ_ranks x)_i with c_r = r + 1: dΣ_r L_r / dx = Σ_r c_r on every rank.
        var results = Ranks.Run(2, g =>
        {
            using var scope = Torch.NewScope();
            var x = Torch.FromArray(new[] { 1.0, 2.0 }, [2]);
            x.RequiresGrad = true;
            var y = g.AllReduceSumWithGradient(x);
            (y * (g.Rank + 1.0)).Sum().Backward();
            return (y.ToArray<double>(), x.Grad!.ToArray<double>());
        });
        foreach (var (y, grad) in results)
        {
            Assert.Equal(new[] { 2.0, 4.0 }, y);
            Assert.Equal(new[] { 3.0, 3.0 }, grad);
        }
    }

    [Fact]
    public void A_port_in_use_is_refused_at_once_naming_the_address()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TorchException>(() => ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", port, 2, 0), Ranks.Options(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains($"rank 0/2", e.Message);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public void An_unreachable_master_fails_within_the_time_out()
    {
        var port = Ranks.FreePort();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TorchException>(() => ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", port, 2, 1), Ranks.Options(3)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Contains("rank 1/2", e.Message);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public void Ranks_that_disagree_on_the_world_size_are_both_refused_naming_the_sizes()
    {
        var port = Ranks.FreePort();
        var errors = new Exception?[2];
        var threads = new[] { (Rank: 0, World: 2), (Rank: 1, World: 3) }.Select((r, i) => new Thread(() =>
        {
            try
            {
                using var g = ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", port, r.World, r.Rank), Ranks.Options(5));
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        var clock = Stopwatch.StartNew();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        Assert.True(errors[0]?.Message.Contains("WORLD_SIZE 2 but rank 1 has WORLD_SIZE 3") == true, errors[0]?.Message);
        Assert.True(errors[1]?.Message.Contains("WORLD_SIZE 3 but rank 0 has WORLD_SIZE 2") == true, errors[1]?.Message);
    }

    [Fact]
    public void A_collective_whose_peer_never_comes_times_out_naming_the_rank_and_the_collective()
    {
        var port = Ranks.FreePort();
        var e = Assert.Throws<AggregateException>(() => Ranks.Run(2, g =>
        {
            if (g.Rank == 1) return 0;
            using var scope = Torch.NewScope();
            var x = Torch.Ones([4]);
            var clock = Stopwatch.StartNew();
            try
            {
                g.AllReduce(x);
            }
            finally
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
            }
            return 1;
        }, timeoutSeconds: 3, port: port));
        Assert.Contains("rank 0/2: all_reduce", e.Message);
    }
}

/// <summary>The NCCL backend: compiled only against a CUDA libtorch with NCCL; these machines have neither.</summary>
public class NcclBackendTests
{
    [NcclFact]
    public void Two_ranks_on_two_gpus_all_reduce_through_nccl()
    {
        var port = Ranks.FreePort();
        var sums = new float[2][];
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            using var group = ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", port, 2, rank),
                new ProcessGroupOptions(TimeSpan.FromSeconds(30), backend: ProcessGroupBackend.Nccl));
            using var x = Torch.Full([3], rank + 1.0, DType.Float32).To(Device.Cuda(rank));
            group.AllReduce(x);
            using var host = x.To(Device.Cpu);
            sums[rank] = host.ToArray<float>();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(sums, s => Assert.Equal(new float[] { 3, 3, 3 }, s));
    }

    [WithoutNcclFact]
    public void Asking_for_nccl_without_it_fails_at_once_saying_which_backend_to_use()
    {
        var e = Assert.Throws<TorchException>(() => ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", Ranks.FreePort(), 1, 0),
            new ProcessGroupOptions(TimeSpan.FromSeconds(5), backend: ProcessGroupBackend.Nccl)));
        Assert.Contains("without NCCL", e.Message);
        Assert.Contains("gloo", e.Message);
    }
}

/// <summary>A fact that needs the NCCL backend and two GPUs: skipped, with the reason, everywhere else.</summary>
public sealed class NcclFactAttribute : FactAttribute
{
    public NcclFactAttribute()
    {
        if (!ProcessGroup.NcclAvailable)
            Skip = "the shim was built against a libtorch without CUDA/NCCL (a CPU build): the NCCL backend is compiled only against a CUDA libtorch and cannot be exercised on this machine";
        else if (!Torch.CudaIsAvailable || Torch.CudaDeviceCount < 2)
            Skip = "NCCL is compiled in but this machine has fewer than two CUDA devices";
    }
}

/// <summary>A fact about a shim without NCCL (a CPU libtorch): skipped, with the reason, where NCCL is compiled in.</summary>
public sealed class WithoutNcclFactAttribute : FactAttribute
{
    public WithoutNcclFactAttribute()
    {
        if (ProcessGroup.NcclAvailable) Skip = "this shim has the NCCL backend: asking for it does not fail here";
    }
}
