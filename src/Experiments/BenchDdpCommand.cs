using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReLICv2.Data;
using ReLICv2.Distributed;
using ReLICv2.Nn;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic bench ddp</c>: the <c>relicv2-step-ddp</c> workload of docs/benchmarks.md §5 — the <c>relicv2-step-small</c> step
/// (<see cref="StepSmallWorkload"/>) on the same global batch, once as 1 process × T threads and once as R ranks × T/R threads
/// over c10d/Gloo on loopback (the ranks are child processes of this one). The views of every step are made ahead of time
/// from the global batch (each rank takes its rows), so both sides time the same compute: forward, loss with gathered
/// candidates, backward with the bucketed all-reduce, LARS and EMA. Prints one JSON object per side and one with the
/// scaling efficiency (R-rank throughput ÷ 1-process throughput), the all-reduce seconds (the wait backward did not hide)
/// and bytes per step, and the largest parameter difference between rank 0 and the single process after the same steps —
/// beside the difference between two single-process runs that differ only in their thread count (the float32 round-off
/// floor of this workload: LARS's trust ratio magnifies it in parameters whose gradients are nearly zero).
/// </summary>
public static class BenchDdpCommand
{
    private const int Batch = StepSmallWorkload.Batch, Source = StepSmallWorkload.Source;

    public static Command Build()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per measurement (1-1000).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of the single process; each rank gets threads / ranks (1-256).", DefaultValueFactory = _ => 2 };
        var ranks = new Option<int>("--ranks") { Description = "Data-parallel ranks (2-16, dividing the batch of 32).", DefaultValueFactory = _ => 2 };
        var port = new Option<int>("--port") { Description = "Loopback port of the ranks' TCP store (0: a free one).", DefaultValueFactory = _ => 0 };
        var noSync = new Option<bool>("--no-sync-bn") { Description = "Ranks normalise with their own batch statistics (running statistics from rank 0) instead of synchronised batch norm." };
        var worker = new Option<string?>("--worker") { Description = "Internal: run as one rank and write its parameters to this file.", Hidden = true };
        var command = new Command("ddp", "Data-parallel step (docs/benchmarks.md, relicv2-step-ddp): 1 process x 2 threads against 2 ranks x 1 thread over c10d/Gloo.")
            { steps, threads, ranks, port, noSync, worker };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(steps);
            var t = parse.GetValue(threads);
            var r = parse.GetValue(ranks);
            if (n is < 1 or > 1000) { Console.Error.WriteLine($"relic bench ddp: --steps must be in [1, 1000], got {n}"); return 2; }
            if (t is < 1 or > 256) { Console.Error.WriteLine($"relic bench ddp: --threads must be in [1, 256], got {t}"); return 2; }
            if (r is < 2 or > 16 || Batch % r != 0) { Console.Error.WriteLine($"relic bench ddp: --ranks must be in [2, 16] and divide the batch of {Batch}, got {r}"); return 2; }
            var sync = !parse.GetValue(noSync);
            if (parse.GetValue(worker) is { } output) return Worker(n, output, sync);
            if (!ProcessGroup.GlooAvailable) { Console.Error.WriteLine("relic bench ddp: this build of the shim has no c10d/Gloo (install libgloo-dev and rebuild)"); return 1; }
            return Parent(n, t, r, parse.GetValue(port), sync);
        });
        return command;
    }

    private sealed record Side(string workload, string implementation, int processes, int threads_per_process, int steps, double compute_images_per_s,
        double? allreduce_wait_s_per_step = null, long? allreduce_bytes_per_step = null, double? buckets_launched_in_backward = null, int? buckets = null);

    private static int Parent(int steps, int threads, int ranks, int port, bool sync)
    {
        Torch.SetNumThreads(threads);
        var (single, expected) = Run(steps, null, sync);
        Console.WriteLine(JsonSerializer.Serialize(single with { threads_per_process = threads }));
        var dir = Path.Combine(Path.GetTempPath(), "relic-bench-ddp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var p = port != 0 ? port : FreePort();
            var self = Environment.ProcessPath ?? throw new InvalidOperationException("relic bench ddp: the path of this executable is unknown");
            var children = Enumerable.Range(0, ranks).Select(rank =>
            {
                var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(BenchDdpCommand).Assembly.Location);
                foreach (var a in new[] { "bench", "ddp", "--steps", I(steps), "--ranks", I(ranks), "--worker", Path.Combine(dir, $"rank-{rank}.safetensors") })
                    psi.ArgumentList.Add(a);
                if (!sync) psi.ArgumentList.Add("--no-sync-bn");
                foreach (var (k, v) in new DistributedEnvironment("127.0.0.1", p, ranks, rank, rank, ranks).ToVariables()) psi.Environment[k] = v;
                psi.Environment["OMP_NUM_THREADS"] = I(Math.Max(1, threads / ranks));
                psi.Environment["RELIC_DIST_TIMEOUT"] = "120";
                return Process.Start(psi)!;
            }).ToList();
            var outputs = children.Select(c => (Out: c.StandardOutput.ReadToEndAsync(), Err: c.StandardError.ReadToEndAsync())).ToList();
            foreach (var c in children)
                if (!c.WaitForExit(TimeSpan.FromMinutes(10))) c.Kill(entireProcessTree: true);
            for (var rank = 0; rank < ranks; rank++)
                if (children[rank].ExitCode != 0)
                {
                    Console.Error.WriteLine($"relic bench ddp: rank {rank} failed ({children[rank].ExitCode}): {outputs[rank].Err.Result.Trim().Split('\n').LastOrDefault()}");
                    return 1;
                }
            var parallel = JsonSerializer.Deserialize<Side>(outputs[0].Out.Result.Trim().Split('\n').Last())!;
            Console.WriteLine(JsonSerializer.Serialize(parallel));
            using var actual = SafeTensors.Read(Path.Combine(dir, "rank-0.safetensors"));
            var ddp = Difference(expected, name => { using var t = actual[name].To(DType.Float64); return t.ToArray<double>(); });
            Torch.SetNumThreads(threads == 1 ? 2 : 1);
            var (_, otherThreads) = Run(steps, null, sync);
            Torch.SetNumThreads(threads);
            var floor = Difference(expected, name => otherThreads[name]);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                workload = "relicv2-step-ddp",
                ranks,
                synchronised_batch_norm = sync,
                scaling_efficiency = Math.Round(parallel.compute_images_per_s / single.compute_images_per_s, 3),
                allreduce_wait_s_per_step = parallel.allreduce_wait_s_per_step,
                allreduce_bytes_per_step = parallel.allreduce_bytes_per_step,
                steps_compared = steps + 1,
                largest_parameter_difference = ddp.Abs,
                largest_relative_parameter_difference = ddp.Relative,
                largest_relative_difference_tensor = ddp.Name,
                single_process_thread_count_difference = floor.Abs,
                single_process_thread_count_relative_difference = floor.Relative,
            }));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Worker(int steps, string output, bool sync)
    {
        using var group = ProcessGroup.FromEnvironment()
            ?? throw new InvalidOperationException("relic bench ddp --worker runs as a rank: WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT must be set");
        var (side, state) = Run(steps, group, sync);
        if (group.Rank == 0)
        {
            Console.WriteLine(JsonSerializer.Serialize(side));
            var tensors = state.Select(kv => new NamedTensor(kv.Key, Torch.FromArray(kv.Value, [kv.Value.Length]))).ToList();
            SafeTensors.Write(output, tensors);
            foreach (var t in tensors) t.Tensor.Dispose();
        }
        group.Barrier();
        return 0;
    }

    /// <summary>1 + <paramref name="steps"/> steps (the first untimed) on fixed global batches; the rows of this rank when <paramref name="group"/> is given.</summary>
    private static (Side Side, Dictionary<string, double[]> State) Run(int steps, ProcessGroup? group, bool sync)
    {
        var (rank, ranks) = (group?.Rank ?? 0, group?.WorldSize ?? 1);
        using var g = new Generator(0);
        var makeViews = PretrainingAdapters.ViewMaker(StepSmallWorkload.Views, 0);
        var stepViews = new List<PretrainingViews>();
        var local = Batch / ranks;
        for (var k = 0; k <= steps; k++)
        {
            using var sources = Torch.RandInt(0, 256, [Batch, 3, Source, Source], g, DType.UInt8);
            using var batch = new Batch(sources.Alias(), Torch.Zeros([Batch], DType.Int64), null, Enumerable.Range(0, Batch).ToArray());
            using var all = makeViews(batch, k);
            stepViews.Add(new PretrainingViews([.. all.Large.Select(v => v.Narrow(0, rank * local, local).Contiguous())],
                [.. all.Small.Select(v => v.Narrow(0, rank * local, local).Contiguous())]));
        }
        using var workload = new StepSmallWorkload(g);
        var online = workload.Online;
        using var trainer = workload.Engine(makeViews, group: group, dataParallel: new DataParallelOptions(synchronizeBatchNorm: sync));
        trainer.Step(stepViews[0], local);
        double wait = 0, launched = 0;
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        for (var k = 1; k <= steps; k++)
        {
            trainer.Step(stepViews[k], local);
            wait += trainer.LastReduction.WaitSeconds;
            bytes = trainer.LastReduction.Bytes;
            launched += trainer.LastReduction.BucketsLaunchedInBackward;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var state = online.NamedParameters().Concat(online.NamedBuffers()).ToDictionary(p => p.Name, p => { using var d = p.Tensor.To(DType.Float64); return d.ToArray<double>(); });
        foreach (var v in stepViews) v.Dispose();
        var side = new Side("relicv2-step-ddp", "relicv2.net", ranks, Torch.NumThreads, steps, Math.Round(steps * Batch / seconds, 2),
            group is null ? null : Math.Round(wait / steps, 4), group is null ? null : bytes, group is null ? null : Math.Round(launched / steps, 2),
            group is null ? null : trainer.LastReduction.Buckets);
        return (side, state);
    }

    /// <summary>The largest difference over tensors, absolute and relative to the tensor's largest magnitude, and where the relative one is.</summary>
    private static (double Abs, double Relative, string Name) Difference(Dictionary<string, double[]> expected, Func<string, double[]> actual)
    {
        (double Abs, double Relative, string Name) worst = (0, 0, "");
        foreach (var (name, values) in expected)
        {
            var got = actual(name);
            var scale = Math.Max(values.Max(Math.Abs), 1e-12);
            var diff = values.Zip(got, (a, b) => Math.Abs(a - b)).Max();
            worst.Abs = Math.Max(worst.Abs, diff);
            if (diff / scale > worst.Relative) worst = (worst.Abs, diff / scale, name);
        }
        return worst;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
