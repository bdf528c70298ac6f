using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Objectives;
using ReLICv2.Optim;
using ReLICv2.Training;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic bench soak</c>: the <c>soak-tiny</c> workload of docs/benchmarks.md §7 — a long pre-training run of a tiny
/// ReLICv2 model on small synthetic data through the whole pipeline (loader with its prefetch thread, views made there,
/// EMA target, LARS, metrics and checkpoints in a temporary run directory), sampling the process's resident memory
/// (VmRSS of /proc/self/status) and the live native tensor handles (<see cref="Torch.LiveTensorCount"/>) every
/// <c>--every</c> steps. Prints one JSON object per sample and a summary: the growth of each from the first sample after the
/// warm-up to the last, and whether both stayed within their tolerance; the exit code is 1 when they did not.
/// </summary>
public static class BenchSoakCommand
{
    /// <summary>Workload name printed in every line.</summary>
    public const string Workload = "soak-tiny";

    /// <summary>Images of the synthetic training set, and the batch: 4 steps an epoch.</summary>
    private const int Images = 64, Batch = 16;

    /// <summary>Steps of one epoch: samples are taken at epoch ends, where the loader's prefetch queue is empty.</summary>
    public const int StepsPerEpoch = Images / Batch;

    /// <summary>
    /// Resident-memory growth tolerated between the first sample after the warm-up and the last, in MiB (docs/benchmarks.md §7:
    /// a leak of 4 KiB a step, the smallest tensor storage glibc serves from its own pages, is 35 MiB over 9 000 steps; the
    /// quiet run's spread between samples was a few MiB).
    /// </summary>
    public const double RssToleranceMiB = 24;

    /// <summary>
    /// Live tensor handles tolerated to grow: none. Samples are taken at the same point of a step (its end, after a collection
    /// that runs pending finalizers) with the same state alive, so any difference is a handle that was never freed.
    /// </summary>
    public const long HandleTolerance = 0;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The <c>soak</c> command (registered under <c>relic bench</c>).</summary>
    public static Command Build()
    {
        var steps = new Option<int>("--steps") { Description = "Pre-training steps (4-1000000, a multiple of 4).", DefaultValueFactory = _ => 10_000 };
        var every = new Option<int>("--every") { Description = "Sample every so many steps (a multiple of 4, at most --steps).", DefaultValueFactory = _ => 500 };
        var warmup = new Option<int?>("--warmup") { Description = "Steps before the baseline sample (default: a tenth of --steps, at least --every)." };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (1-256).", DefaultValueFactory = _ => 2 };
        var command = new Command("soak", $"A long tiny pre-training run sampling resident memory and live tensor handles (docs/benchmarks.md §7, {Workload}); exit code 1 when either grows.")
            { steps, every, warmup, threads };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(steps);
            var k = parse.GetValue(every);
            var t = parse.GetValue(threads);
            if (n is < StepsPerEpoch or > 1_000_000 || n % StepsPerEpoch != 0)
                return Fail($"--steps must be a multiple of {StepsPerEpoch} in [{StepsPerEpoch}, 1000000], got {n}");
            if (k < StepsPerEpoch || k > n || k % StepsPerEpoch != 0)
                return Fail($"--every must be a multiple of {StepsPerEpoch} (the steps of an epoch, so that samples find the loader idle) in [{StepsPerEpoch}, {n}], got {k}");
            var w = parse.GetValue(warmup) ?? Math.Max(k, n / 10 / k * k);
            if (w < 0 || w >= n) return Fail($"--warmup must be in [0, {n - 1}] (a baseline sample must follow it), got {w}");
            if (t is < 1 or > 256) return Fail($"--threads must be in [1, 256], got {t}");
            Torch.SetNumThreads(t);
            return Run(n, k, w);
        });
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"relic bench soak: {message}");
        return 2;
    }

    /// <summary>One sample: after <see cref="Step"/> steps.</summary>
    private sealed record Sample(string Workload, long Step, double ElapsedS, double RssMib, long LiveTensors, long LiveTensorsBeforeGc,
        double ManagedMib, double CpuCacheIdleMib, double Loss);

    private sealed record Summary(string Workload, [property: JsonPropertyName("summary")] bool IsSummary, int Steps, int Every, int Warmup, long BaselineStep, long LastStep,
        double RssStartMib, double RssEndMib, double RssGrowthMib, double RssToleranceMib, double RssMaxMib,
        long LiveTensorsStart, long LiveTensorsEnd, long LiveTensorsGrowth, long LiveTensorsTolerance, double StepsPerS, bool Flat);

    private static int Run(int steps, int every, int warmup)
    {
        var runDirectory = Directory.CreateTempSubdirectory("relic-soak-").FullName;
        try
        {
            var samples = new List<Sample>();
            var clock = Stopwatch.StartNew();
            using (var trainer = BuildTrainer(steps, every, runDirectory))
            {
                var loader = new DataLoader(new SyntheticDataset(Images, 16, 3, seed: 1), Batch, shuffle: true, seed: 3, dropLast: true, prefetchDepth: 3);
                trainer.Run(loader, record =>
                {
                    if (record.Step % every != 0) return;
                    var sample = Take(record.Step, clock.Elapsed.TotalSeconds, record.Loss);
                    samples.Add(sample);
                    Console.WriteLine(JsonSerializer.Serialize(sample, Json));
                });
            }
            var baseline = samples.First(s => s.Step >= Math.Max(warmup, every));
            var last = samples[^1];
            var rssGrowth = last.RssMib - baseline.RssMib;
            var handleGrowth = last.LiveTensors - baseline.LiveTensors;
            var flat = rssGrowth <= RssToleranceMiB && handleGrowth <= HandleTolerance;
            var summary = new Summary(Workload, true, steps, every, warmup, baseline.Step, last.Step, baseline.RssMib, last.RssMib, Math.Round(rssGrowth, 1),
                RssToleranceMiB, samples.Max(s => s.RssMib), baseline.LiveTensors, last.LiveTensors, handleGrowth, HandleTolerance,
                Math.Round(steps / clock.Elapsed.TotalSeconds, 2), flat);
            Console.WriteLine(JsonSerializer.Serialize(summary, Json));
            return flat ? 0 : 1;
        }
        finally
        {
            Directory.Delete(runDirectory, recursive: true);
        }
    }

    /// <summary>
    /// The tiny model of the Dsl tests' experiment: ResNet-18 of base width 4 with the small-image stem, heads 16/8/16, views
    /// [2 × 16 px, 1 × 8 px], ReLICv2 (τ 0.2, 4 sampled negatives), EMA target (γ 0.9 on a cosine), LARS 0.5; checkpoints every
    /// <paramref name="every"/> steps into <paramref name="runDirectory"/>.
    /// </summary>
    private static Pretrainer BuildTrainer(int steps, int every, string runDirectory)
    {
        using var g = new Generator(3);
        var encoder = new ResNet(18, g, smallImageStem: true, baseWidth: 4);
        var online = new SiameseNetwork(encoder, new MlpHead(encoder.OutputDim, 16, 8, g), new MlpHead(8, 16, 8, g));
        var optimizer = new Lars(Lars.ExcludingBiasAndNorm(online.NamedParameters(), new LarsOptions(0.5 * Batch / 256, 0.9, 1.5e-6)));
        var views = ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8);
        var objective = Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4));
        return new Pretrainer(online, TargetMode.Ema, optimizer, new WarmupCosineSchedule(steps), PretrainingAdapters.ViewMaker(views, 3),
            PretrainingAdapters.Loss(objective), new PretrainingOptions(steps / StepsPerEpoch, seed: 3, checkpointEvery: every, runDirectory: runDirectory, maxSteps: steps),
            EmaSchedule.Cosine(0.9, steps));
    }

    private static Sample Take(long step, double elapsed, double loss)
    {
        var before = Torch.LiveTensorCount;
        // Handles whose owners were dropped without Dispose wait for their finalizers; run them, so that the count is what is
        // still reachable, and compact the managed heap, so that the resident memory is not the collector's slack.
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return new Sample(Workload, step, Math.Round(elapsed, 1), Math.Round(ResidentMiB(), 1), Torch.LiveTensorCount, before,
            Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1), Math.Round(Torch.CpuCache.IdleBytes / 1048576.0, 1), Math.Round(loss, 4));
    }

    /// <summary>VmRSS of /proc/self/status in MiB (the working set where /proc is absent).</summary>
    internal static double ResidentMiB()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
    }
}
