using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Data-parallel runs of the relic executable, as a user starts them (docs/distributed.md §7): one machine with two ranks,
/// two "machines" on one host (node 0 on 127.0.0.1, node 1 on 127.0.0.2, loopback only), a rank killed mid-run, and a
/// resume on one rank. Every process is bounded in time.
/// </summary>
public sealed class DistributedRunTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-ddp-" + Guid.NewGuid().ToString("N"));

    public DistributedRunTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private static readonly string Relic = Path.Combine(AppContext.BaseDirectory, "relic");

    private static Experiment Tiny(int epochs) => new(
        "tiny-ddp",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 256, testLimit: 32, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        epochs, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 1, knnK: 5, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Config(int epochs)
    {
        var path = Path.Combine(dir, $"tiny-{epochs}.json");
        File.WriteAllText(path, Tiny(epochs).ToJson());
        return path;
    }

    /// <summary>A relic process whose output is collected as it comes.</summary>
    private sealed class Running
    {
        private readonly System.Text.StringBuilder output = new(), error = new();

        public Running(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env)
        {
            var psi = new ProcessStartInfo(Relic) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["OMP_NUM_THREADS"] = "1";
            psi.Environment["RELIC_DIST_TIMEOUT"] = "30";
            foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
            Process = new Process { StartInfo = psi };
            Process.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (output) output.AppendLine(l); };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (error) error.AppendLine(l); };
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Out { get { lock (output) return output.ToString(); } }

        public string Err { get { lock (error) return error.ToString(); } }
    }

    private static Running Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null) => new(args, env);

    private static (int Code, string Out, string Err) Finish(Running r, int seconds = 240)
    {
        if (!r.Process.WaitForExit(TimeSpan.FromSeconds(seconds)))
        {
            r.Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"relic did not finish within {seconds} s: {r.Out}\n{r.Err}");
        }
        r.Process.WaitForExit();
        return (r.Process.ExitCode, r.Out, r.Err);
    }

    private static Dictionary<string, float[]> Weights(string run)
    {
        using var checkpoint = Checkpoint.Load(Path.Combine(run, "checkpoints", "last"));
        using var state = SafeTensors.Read(Path.Combine(run, "checkpoints", "last.safetensors"));
        return state.Keys.Where(k => k.StartsWith("online.", StringComparison.Ordinal))
            .ToDictionary(k => k, k => { using var t = state[k].To(DType.Float32); return t.ToArray<float>(); });
    }

    [Fact]
    public void Two_nodes_on_two_loopback_addresses_train_exactly_like_two_ranks_on_one_node()
    {
        var config = Config(epochs: 1);
        var one = Path.Combine(dir, "one-node");
        var single = Finish(Start(["launch", "--nproc-per-node", "2", "--master", $"127.0.0.1:{FreePort()}", "--timeout", "200", "--",
            "pretrain", "--config", config, "--run-dir", one, "--plain"]));
        Assert.True(single.Code == 0, single.Out + single.Err);

        var two = Path.Combine(dir, "two-nodes");
        var master = $"127.0.0.1:{FreePort()}";
        var node0 = Start(["launch", "--nnodes", "2", "--node-rank", "0", "--nproc-per-node", "1", "--master", master, "--timeout", "200", "--",
            "pretrain", "--config", config, "--run-dir", two, "--plain"]);
        var node1 = Start(["launch", "--nnodes", "2", "--node-rank", "1", "--nproc-per-node", "1", "--master", master, "--timeout", "200", "--",
            "pretrain", "--config", config, "--run-dir", two, "--plain"], new Dictionary<string, string> { ["RELIC_GLOO_HOST"] = "127.0.0.2" });
        var (code0, out0, err0) = Finish(node0);
        var (code1, out1, err1) = Finish(node1);
        Assert.True(code0 == 0, out0 + err0);
        Assert.True(code1 == 0, out1 + err1);
        Assert.Contains("rank 0 of 2", out0);
        Assert.Contains("[rank 1] ", out1);
        Assert.Contains("rank 1 of 2 (Gloo, master 127.0.0.1", out1);
        Assert.Contains("local address 127.0.0.2", out1);
        Assert.True(File.Exists(Path.Combine(two, "logs", "rank-1.log")), "rank 1 logs to the run directory");
        Assert.True(File.Exists(Path.Combine(two, "results.json")), "rank 0 evaluates");

        var expected = Weights(one);
        var actual = Weights(two);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected) Assert.True(values.SequenceEqual(actual[name]), $"{name} differs between one node and two nodes");
    }

    [Fact]
    public void A_killed_rank_stops_the_job_naming_it_and_the_last_checkpoint_resumes_on_one_rank()
    {
        var config = Config(epochs: 40);
        var run = Path.Combine(dir, "killed");
        var clock = Stopwatch.StartNew();
        var launcher = Start(["launch", "--nproc-per-node", "2", "--master", $"127.0.0.1:{FreePort()}", "--timeout", "200", "--grace", "10", "--",
            "pretrain", "--config", config, "--run-dir", run, "--plain"]);
        var sidecar = Checkpoint.SidecarPath(Path.Combine(run, "checkpoints", "last"));
        while (!File.Exists(sidecar) && !launcher.Process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(150)) Thread.Sleep(100);
        Assert.True(File.Exists(sidecar), "no checkpoint within 150 s: " + launcher.Out + launcher.Err);
        var victim = RankProcess(launcher.Process.Id, rank: 1);
        Assert.True(victim is not null, "rank 1's process was not found among the launcher's children");
        victim!.Kill();
        var killedAt = clock.Elapsed;
        Assert.True(launcher.Process.WaitForExit(TimeSpan.FromSeconds(90)), "the launcher did not end within 90 s of the kill");
        launcher.Process.WaitForExit();
        Assert.True(clock.Elapsed - killedAt < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed - killedAt} to end after the kill");
        Assert.NotEqual(0, launcher.Process.ExitCode);
        Assert.Contains("rank 1 was killed by SIGKILL", launcher.Err);

        long step;
        using (var checkpoint = Checkpoint.Load(Path.Combine(run, "checkpoints", "last")))
            step = checkpoint.Step;
        Assert.True(step > 0);

        // Resume on one rank (a plain process) for a shorter plan: it continues from the checkpoint's step to the end.
        var resumed = Finish(Start(["pretrain", "--config", config, "--run-dir", run, "--resume", "--plain"]));
        Assert.True(resumed.Code == 0, resumed.Out + resumed.Err);
        Assert.Contains($"resumed at step {step}", resumed.Out);
        using var final = Checkpoint.Load(Path.Combine(run, "checkpoints", "last"));
        Assert.True(final.Step > step, $"the resumed run ended at step {final.Step}, not after {step}");
    }

    /// <summary>The process with RANK=<paramref name="rank"/> in its environment among the descendants of <paramref name="root"/>.</summary>
    private static Process? RankProcess(int root, int rank)
    {
        var parents = new Dictionary<int, int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1]);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        bool Descends(int pid)
        {
            for (var p = pid; parents.TryGetValue(p, out var up) && p != 0; p = up)
                if (up == root) return true;
            return false;
        }
        foreach (var pid in parents.Keys.Where(Descends))
        {
            try
            {
                var env = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
                if (env.Contains($"RANK={rank}") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "relic") return Process.GetProcessById(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }
}
