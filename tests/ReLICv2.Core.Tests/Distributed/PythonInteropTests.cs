using System.Diagnostics;
using ReLICv2.Distributed;
using Xunit;

namespace ReLICv2.Tests.Distributed;

/// <summary>
/// Proof that the process group is libtorch's own c10d: a Python <c>torch.distributed</c> process (Debian's PyTorch 1.13)
/// joins the same TCP store and Gloo group as a .NET rank, and all-reduce, broadcast and all-gather agree. Python is not a
/// dependency of the project: without it the test is skipped with the reason.
/// </summary>
public class PythonInteropTests
{
    private const string Script = """
        import sys
        from datetime import timedelta
        import torch
        import torch.distributed as dist
        from torch._C._distributed_c10d import ProcessGroupGloo

        port = int(sys.argv[1])
        timeout = timedelta(seconds=20)
        store = dist.PrefixStore("relic/", dist.TCPStore("127.0.0.1", port, 2, False, timeout))
        # The .NET rendezvous: claim rank 1, publish the world size, check rank 0's, say it was seen.
        assert store.add("claim/1", 1) == 1
        store.set("world/1", "2")
        assert store.get("world/0") == b"2", store.get("world/0")
        store.add("seen/1", 1)
        options = ProcessGroupGloo._Options()
        options._devices = [ProcessGroupGloo.create_device(hostname="127.0.0.1")]
        options._timeout = timeout
        options._threads = 2
        pg = ProcessGroupGloo(dist.PrefixStore("pg/default/", store), 1, 2, options)

        x = torch.tensor([1.5, -2.0, 4.0])
        pg.allreduce([x]).wait()
        b = torch.zeros(2, 2, dtype=torch.float64)
        pg.broadcast(b, 0).wait()
        outs = [[torch.zeros(1, 3), torch.zeros(1, 3)]]
        pg.allgather(outs, [torch.full((1, 3), 7.0)]).wait()
        pg.barrier().wait()
        print("sum", " ".join(repr(float(v)) for v in x))
        print("broadcast", " ".join(repr(float(v)) for v in b.flatten()))
        print("gathered", " ".join(repr(float(v)) for v in torch.cat(outs[0]).flatten()))
        """;

    [PythonTorchFact]
    public void A_python_torch_distributed_rank_and_a_dotnet_rank_agree_on_all_reduce_broadcast_and_all_gather()
    {
        var port = Ranks.FreePort();
        var script = Path.Combine(Path.GetTempPath(), $"relic-interop-{Guid.NewGuid():N}.py");
        File.WriteAllText(script, Script);
        try
        {
            var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stdout = python.StandardOutput.ReadToEndAsync();
            var stderr = python.StandardError.ReadToEndAsync();
            float[] sum, gathered;
            double[] broadcast;
            using (var group = ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", port, 2, 0), Ranks.Options(20)))
            using (var scope = Torch.NewScope())
            {
                var x = Torch.FromArray(new[] { 0.5, 1.0, -1.0 }, [3]).To(DType.Float32);
                group.AllReduce(x);
                var b = Torch.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }, [2, 2]);
                group.Broadcast([b], root: 0);
                gathered = group.AllGather(Torch.Full([1, 3], -3.0, DType.Float32)).ToArray<float>();
                group.Barrier();
                sum = x.ToArray<float>();
                broadcast = b.ToArray<double>();
            }
            Assert.True(python.WaitForExit(30_000), "the Python rank did not finish within 30 s");
            Assert.True(python.ExitCode == 0, $"the Python rank failed ({python.ExitCode}): {stderr.Result}");
            var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => l.Split(' ').Skip(1).Select(double.Parse).ToArray());
            Assert.Equal(new float[] { 2, -1, 3 }, sum);
            Assert.Equal(new double[] { 2, -1, 3 }, lines["sum"]);
            Assert.Equal(new double[] { 1, 2, 3, 4 }, broadcast);
            Assert.Equal(new double[] { 1, 2, 3, 4 }, lines["broadcast"]);
            Assert.Equal(new float[] { -3, -3, -3, 7, 7, 7 }, gathered);
            Assert.Equal(new double[] { -3, -3, -3, 7, 7, 7 }, lines["gathered"]);
        }
        finally
        {
            File.Delete(script);
        }
    }
}

/// <summary>A fact that needs Debian's PyTorch for /usr/bin/python3: skipped, with the reason, when it is absent.</summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    public PythonTorchFactAttribute()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            Skip = "/usr/bin/python3 is absent: the torch.distributed interoperability check needs Debian's python3-torch (not a project dependency)";
            return;
        }
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import torch.distributed as d; assert d.is_gloo_available()"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            if (!p.WaitForExit(60_000) || p.ExitCode != 0)
                Skip = "/usr/bin/python3 has no torch with Gloo: the torch.distributed interoperability check needs Debian's python3-torch (not a project dependency)";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Skip = $"/usr/bin/python3 cannot be started ({e.Message})";
        }
    }
}
