using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic bench step</c>: the <c>relicv2-step-small</c> workload of docs/benchmarks.md §2 — one ReLICv2 pre-training step on 32
/// uint8 RGB 40 × 40 sources, [4 × 32, 2 × 16] views, ResNet-18 (small stem, base width 32) with 256 → 1024 → 128
/// heads, EMA target (γ 0.99), ReLIC (τ 0.2, α 1, all negatives) over every (online i, target j ≠ i) pair, LARS with
/// weight decay 1e-6. Prints one JSON object with images/s for augmentation alone, compute alone and the full step, and
/// the achieved GFLOP/s of the compute (multiply-adds × 2, backward = 2 × forward) beside a 2048² float32 matrix
/// product's, and the peak resident memory; with <c>--pytorch</c> the PyTorch reference (bench/pytorch/relicv2_step_small.py)
/// is measured in the same run and the ratios printed; <c>--contend K</c> measures again beside K busy processes and
/// prints the slowdowns (§6); <c>--profile</c> prints a breakdown of the step by category (§2.2).
/// </summary>
public static class BenchStepCommand
{
    private const int Batch = StepSmallWorkload.Batch, Source = StepSmallWorkload.Source;

    public static Command Build()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per measurement (1-1000).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (1-256).", DefaultValueFactory = _ => 2 };
        var shards = new Option<int>("--shards")
        {
            Description = "Also measure data-parallel shards (each on one worker thread with one intra-op thread; 1-64) and print the ratio to the unsharded step.",
            DefaultValueFactory = _ => 1,
        };
        var pytorch = new Option<bool>("--pytorch") { Description = "Also measure the PyTorch reference with /usr/bin/python3 (needs python3-torch and python3-torchvision)." };
        var contend = new Option<int>("--contend")
        {
            Description = "Also measure beside K busy processes the benchmark starts and ends itself (0-256), and print the slowdowns (docs/benchmarks.md §6).",
            DefaultValueFactory = _ => 0,
        };
        var contendLimit = new Option<int>("--contend-limit")
        {
            Description = "Seconds after which a busy process ends by itself even if the benchmark was killed (10-86400).",
            DefaultValueFactory = _ => 900,
        };
        var profile = new Option<bool>("--profile") { Description = "Also profile --steps full steps with libtorch's profiler and print the time per category (docs/benchmarks.md §2.2)." };
        var blasThreads = new Option<int>("--blas-threads") { Description = "OpenBLAS threads (1-256; default: as --threads).", DefaultValueFactory = _ => 0 };
        var augmentThreads = new Option<int>("--augment-threads")
        {
            Description = "Intra-op threads of the thread that makes the views for augment_images_per_s (1-256; default 1, as the data loader's prefetch thread).",
            DefaultValueFactory = _ => 1,
        };
        var unfused = new Option<bool>("--unfused")
        {
            Description = "Also time the compute with the fused batch norm + ReLU kernel on and off, alternating step by step (2 × --steps rounds, at least 6), and print the medians and their ratio.",
        };
        var repeat = new Option<int>("--repeat")
        {
            Description = "With --pytorch: measure ours and PyTorch's this many times in alternation (1-20) and print each round's ratios and their medians, so that a machine whose speed drifts moves both alike.",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("step", "One ReLICv2 pre-training step (docs/benchmarks.md §2, relicv2-step-small): augmentation, compute and full-step images/s.")
        {
            steps, threads, shards, pytorch, contend, contendLimit, profile, blasThreads, augmentThreads, unfused, repeat,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(steps);
            var t = parse.GetValue(threads);
            if (n is < 1 or > 1000) { Console.Error.WriteLine($"relic bench step: --steps must be in [1, 1000], got {n}"); return 2; }
            if (t is < 1 or > 256) { Console.Error.WriteLine($"relic bench step: --threads must be in [1, 256], got {t}"); return 2; }
            var w = parse.GetValue(shards);
            if (w is < 1 or > 64 || w > Batch / 2) { Console.Error.WriteLine($"relic bench step: --shards must be in [1, {Batch / 2}] (batch {Batch}), got {w}"); return 2; }
            var k = parse.GetValue(contend);
            if (k is < 0 or > 256) { Console.Error.WriteLine($"relic bench step: --contend must be in [0, 256], got {k}"); return 2; }
            var limit = parse.GetValue(contendLimit);
            if (limit is < 10 or > 86400) { Console.Error.WriteLine($"relic bench step: --contend-limit must be in [10, 86400] seconds, got {limit}"); return 2; }
            var b = parse.GetValue(blasThreads);
            if (b is < 0 or > 256) { Console.Error.WriteLine($"relic bench step: --blas-threads must be in [1, 256] (0: as --threads), got {b}"); return 2; }
            var a = parse.GetValue(augmentThreads);
            if (a is < 1 or > 256) { Console.Error.WriteLine($"relic bench step: --augment-threads must be in [1, 256], got {a}"); return 2; }
            var rounds = parse.GetValue(repeat);
            if (rounds is < 1 or > 20) { Console.Error.WriteLine($"relic bench step: --repeat must be in [1, 20], got {rounds}"); return 2; }
            if (rounds > 1 && !parse.GetValue(pytorch)) { Console.Error.WriteLine("relic bench step: --repeat needs --pytorch (it alternates ours and PyTorch's measurements)"); return 2; }
            Torch.SetNumThreads(t);
            if (b > 0) Torch.SetBlasThreads(b);
            var ours = Measure(n, 1, a);
            Console.WriteLine(JsonSerializer.Serialize(ours));
            if (k > 0)
            {
                Result contended;
                using (BusyProcesses.Start(k, TimeSpan.FromSeconds(limit)))
                    contended = Measure(n, 1, a) with { contending_processes = k };
                Console.WriteLine(JsonSerializer.Serialize(contended));
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    workload = "relicv2-step-small",
                    contending_processes = k,
                    cores = Environment.ProcessorCount,
                    augment_slowdown = Slowdown(ours.augment_images_per_s, contended.augment_images_per_s),
                    compute_slowdown = Slowdown(ours.compute_images_per_s, contended.compute_images_per_s),
                    full_step_slowdown = Slowdown(ours.full_step_images_per_s, contended.full_step_images_per_s),
                    matmul_slowdown = Slowdown(ours.matmul_gflops, contended.matmul_gflops),
                    gemm_peak_slowdown = Slowdown(ours.gemm_peak_gflops, contended.gemm_peak_gflops),
                }));
            }
            if (parse.GetValue(profile)) PrintProfile(n);
            if (parse.GetValue(unfused)) Console.WriteLine(JsonSerializer.Serialize(FusionAB(Math.Max(6, 2 * n))));
            if (w > 1)
            {
                var sharded = Measure(n, w, a);
                Console.WriteLine(JsonSerializer.Serialize(sharded));
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    workload = "relicv2-step-small",
                    shards = w,
                    sharded_compute_ratio = Math.Round(sharded.compute_images_per_s / ours.compute_images_per_s, 2),
                    sharded_full_step_ratio = Math.Round(sharded.full_step_images_per_s / ours.full_step_images_per_s, 2),
                }));
            }
            if (!parse.GetValue(pytorch)) return 0;
            var reference = RunPyTorch(n, t, out var reason);
            if (reference is null)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { workload = "relicv2-step-small", implementation = "pytorch", skipped = reason }));
                return 0;
            }
            Console.WriteLine(reference.RootElement.GetRawText());
            var ratios = new List<Ratios> { Compare(ours, reference.RootElement) };
            Console.WriteLine(JsonSerializer.Serialize(ratios[0]));
            // Further rounds alternate which implementation goes first, so that a drift of the machine's speed within a round
            // favours neither; every round prints its own objects, then the medians.
            for (var round = 2; round <= rounds; round++)
            {
                JsonDocument? other;
                Result mine;
                if (round % 2 == 0)
                {
                    other = RunPyTorch(n, t, out reason);
                    mine = Measure(n, 1, a);
                }
                else
                {
                    mine = Measure(n, 1, a);
                    other = RunPyTorch(n, t, out reason);
                }
                Console.WriteLine(JsonSerializer.Serialize(mine));
                if (other is null)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new { workload = "relicv2-step-small", implementation = "pytorch", round, skipped = reason }));
                    continue;
                }
                Console.WriteLine(other.RootElement.GetRawText());
                ratios.Add(Compare(mine, other.RootElement) with { round = round });
                Console.WriteLine(JsonSerializer.Serialize(ratios[^1]));
            }
            if (rounds > 1) Console.WriteLine(JsonSerializer.Serialize(Summarise(ratios)));
            return 0;
        });
        return command;
    }

    private sealed record Result(string workload, string implementation, int threads, int shards, int steps, double augment_images_per_s, double compute_images_per_s,
        double full_step_images_per_s, double compute_gflops, double matmul_gflops, double gemm_peak_gflops, double peak_gflops, double compute_pct_of_matmul_peak,
        double conv_ceiling_gflops, double conv_ceiling_pct_of_peak, double? peak_rss_mib,
        int augment_threads, int blas_threads, string openmp_wait, string shim_arch, string kernel_isa, bool fused_batch_norm, int contending_processes = 0);

    /// <summary>Runs <paramref name="body"/> on a new thread with <paramref name="threads"/> intra-op threads of its own.</summary>
    private static double OnThread(int threads, Func<double> body)
    {
        double result = 0;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Torch.SetThreadNumThreads(threads);
                result = body();
            }
            catch (Exception e)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }) { Name = "relic-bench-views" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static double Slowdown(double quiet, double contended) => Math.Round(quiet / Math.Max(contended, 1e-9), 2);

    /// <summary>GFLOP/s of a 2048 × 2048 float32 matrix product (2·2048³ flops), best of three after a warm-up: the peak the
    /// compute is compared with, measured on the same threads in the same run.</summary>
    private static double MatmulGflops()
    {
        const int n = 2048;
        using var g = new Generator(1);
        using var a = Torch.Randn([n, n], g);
        using var b = Torch.Randn([n, n], g);
        a.Mm(b).Dispose();
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            a.Mm(b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>
    /// GFLOP/s of oneDNN's GEMM, reached through 1 × 1 convolutions of channels-last float32 inputs — a 1 × 1 convolution of
    /// an N × C × H × W input is the (N·H·W × C) · (C × C) matrix product, which libtorch hands to oneDNN, the library
    /// that runs the step's convolutions (its 2048² <c>mm</c> goes to OpenBLAS instead). The best of three shapes
    /// (C = 2048 at 32², 1024 at 4 × 32², 512 at 16 × 32²), each the best of three timings after a warm-up.
    /// </summary>
    private static double GemmPeakGflops()
    {
        var best = 0.0;
        using var g = new Generator(2);
        foreach (var (n, c, hw) in new[] { (1, 2048, 32), (4, 1024, 32), (16, 512, 32) })
        {
            using var x0 = Torch.Randn([n, c, hw, hw], g);
            using var x = x0.Contiguous(MemoryFormat.ChannelsLast);
            using var w0 = Torch.Randn([c, c, 1, 1], g);
            using var w = w0.Contiguous(MemoryFormat.ChannelsLast);
            Torch.Conv2d(x, w).Dispose();
            var fastest = double.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                Torch.Conv2d(x, w).Dispose();
                fastest = Math.Min(fastest, clock.Elapsed.TotalSeconds);
            }
            best = Math.Max(best, 2.0 * n * c * (double)c * hw * hw / fastest / 1e9);
        }
        return best;
    }

    /// <summary>
    /// GFLOP/s of the step's convolutions alone — what the compute would reach if batch norms, element-wise passes, heads,
    /// loss, optimiser and EMA cost nothing, so a ceiling the step cannot pass (docs/benchmarks.md §2.1). Every convolution of
    /// <paramref name="encoder"/> at the step's shapes (<see cref="ComputeCost.Convolutions"/>) on fresh channels-last
    /// tensors: forward and backward (input and weight gradients; no input gradient for the stem, whose input is an image) for
    /// the online network's 4 × 32 px and 2 × 16 px views, forward for the target's 4 × 32 px; FLOPs counted as the step's
    /// are (forward + 2 × forward for a backward). The median of five passes after a warm-up.
    /// </summary>
    private static double ConvolutionCeilingGflops(ResNet encoder)
    {
        using var g = new Generator(3);
        using var scope = Torch.NewScope();
        var work = new List<Action>();
        double flops = 0;
        void Add(long images, long size, bool backward)
        {
            foreach (var c in ComputeCost.Convolutions(encoder, size))
            {
                var conv = c.Convolution;
                var x = Torch.Randn([images, conv.InChannels, c.InputSide, c.InputSide], g).Contiguous(MemoryFormat.ChannelsLast)
                    .RequireGrad(backward && c.Name != "conv1");
                var w = Torch.Randn([conv.OutChannels, conv.InChannels / conv.Groups, conv.KernelSize, conv.KernelSize], g)
                    .Contiguous(MemoryFormat.ChannelsLast).RequireGrad(backward);
                flops += 2.0 * images * c.MultiplyAdds * (backward ? 3 : 1);
                if (!backward)
                {
                    work.Add(() => Torch.Conv2d(x, w, null, conv.Stride, conv.Padding, conv.Dilation, conv.Groups).Dispose());
                    continue;
                }
                var gy = Torch.Randn([images, conv.OutChannels, c.OutputSide, c.OutputSide], g).Contiguous(MemoryFormat.ChannelsLast);
                work.Add(() =>
                {
                    using (var y = Torch.Conv2d(x, w, null, conv.Stride, conv.Padding, conv.Dilation, conv.Groups)) y.Backward(gy);
                    x.Grad = null;
                    w.Grad = null;
                });
            }
        }
        Add(4 * Batch, 32, backward: true);
        Add(2 * Batch, 16, backward: true);
        Add(4 * Batch, 32, backward: false);
        var times = new double[6];
        for (var pass = 0; pass < times.Length; pass++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var a in work) a();
            times[pass] = clock.Elapsed.TotalSeconds;
        }
        var timed = times.Skip(1).Order().ToArray();
        return flops / timed[timed.Length / 2] / 1e9;
    }

    /// <summary>The workload's sources (seed 0), networks, and the views of batch 0 for steps that time the compute alone.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly Generator generator = new(0);
        private readonly Tensor sources;
        private readonly PretrainingViews fixedViews;

        public Fixture()
        {
            sources = Torch.RandInt(0, 256, [BenchStepCommand.Batch, 3, Source, Source], generator, DType.UInt8);
            Batch = new Batch(sources.Alias(), Torch.Zeros([BenchStepCommand.Batch], DType.Int64), null, Enumerable.Range(0, BenchStepCommand.Batch).ToArray());
            MakeViews = PretrainingAdapters.ViewMaker(StepSmallWorkload.Views, 0);
            Workload = new StepSmallWorkload(generator);
            fixedViews = MakeViews(Batch, 0);
        }

        public Batch Batch { get; }

        public ViewMaker MakeViews { get; }

        public StepSmallWorkload Workload { get; }

        /// <summary>An engine whose every step gets batch 0's views, already made: the compute alone.</summary>
        public Pretrainer ComputeOnly(int shards) =>
            Workload.Engine((_, _) => new PretrainingViews(fixedViews.Large.Select(v => v.Alias()).ToArray(), fixedViews.Small.Select(v => v.Alias()).ToArray()), shards);

        public void Dispose()
        {
            fixedViews.Dispose();
            Workload.Dispose();
            Batch.Dispose();
            sources.Dispose();
            generator.Dispose();
        }
    }

    private static Result Measure(int steps, int shards, int augmentThreads)
    {
        using var fixture = new Fixture();
        var (batch, makeViews) = (fixture.Batch, fixture.MakeViews);
        var (encoder, online) = (fixture.Workload.Encoder, fixture.Workload.Online);
        using var trainer = fixture.Workload.Engine(makeViews, shards);
        using var computeOnly = fixture.ComputeOnly(shards);

        // One untimed step of each engine first: the compute-only engine has graph and allocator warm-up costs of its own.
        trainer.Step(batch);
        computeOnly.Step(batch);
        double Time(Action a)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++) a();
            return steps * Batch / clock.Elapsed.TotalSeconds;
        }
        // The views are timed on a thread of their own with the data loader's prefetch-thread setting (docs/benchmarks.md §6).
        var augment = OnThread(augmentThreads, () => Time(() => makeViews(batch, 1).Dispose()));
        var compute = Time(() => computeOnly.Step(batch));
        var full = Time(() => trainer.Step(batch));
        // The workload's peak, read before the matrix-product peaks and the convolution ceiling allocate tensors of their own.
        var rss = Mib(ProcessMemory.PeakResidentBytes);
        var macs = 4 * (ComputeCost.MultiplyAdds(encoder, 32) + HeadMacs(online, predictor: true)) + 2 * (ComputeCost.MultiplyAdds(encoder, 16) + HeadMacs(online, predictor: true));
        var targetMacs = 4 * (ComputeCost.MultiplyAdds(encoder, 32) + HeadMacs(online, predictor: false));
        var flopsPerImage = 2.0 * (3 * macs + targetMacs);
        var gflops = flopsPerImage * compute / 1e9;
        var matmul = MatmulGflops();
        var gemm = GemmPeakGflops();
        var peak = Math.Max(matmul, gemm);
        var ceiling = ConvolutionCeilingGflops(encoder);
        return new Result("relicv2-step-small", "relicv2.net", Torch.NumThreads, shards, steps, Math.Round(augment, 2), Math.Round(compute, 2), Math.Round(full, 2),
            Math.Round(gflops, 2), Math.Round(matmul, 2), Math.Round(gemm, 2), Math.Round(peak, 2), Math.Round(100 * gflops / peak, 1),
            Math.Round(ceiling, 2), Math.Round(100 * ceiling / peak, 1), rss, augmentThreads, Torch.BlasThreads,
            Torch.OpenMpWait, Torch.BuildArchitecture, Torch.KernelInstructionSet, Torch.FusedBatchNorm);
    }

    private sealed record FusionResult(string workload, int rounds, double fused_compute_images_per_s, double unfused_compute_images_per_s,
        double fused_compute_ratio);

    /// <summary>
    /// The compute step (views given) timed with the fused batch norm + ReLU kernel on and off in alternation, one step each per
    /// round, so that a machine whose speed drifts (a shared one) moves both alike; the medians and their ratio.
    /// </summary>
    private static FusionResult FusionAB(int rounds)
    {
        using var fixture = new Fixture();
        var batch = fixture.Batch;
        using var computeOnly = fixture.ComputeOnly(1);
        var was = Torch.FusedBatchNorm;
        var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        try
        {
            foreach (var fused in new[] { true, false }) { Torch.FusedBatchNorm = fused; computeOnly.Step(batch); }
            for (var round = 0; round < rounds; round++)
                foreach (var fused in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    Torch.FusedBatchNorm = fused;
                    var clock = Stopwatch.StartNew();
                    computeOnly.Step(batch);
                    times[fused].Add(clock.Elapsed.TotalSeconds);
                }
        }
        finally { Torch.FusedBatchNorm = was; }
        double fusedRate = Batch / Median(times[true]), unfusedRate = Batch / Median(times[false]);
        return new FusionResult("relicv2-step-small", rounds, Math.Round(fusedRate, 2), Math.Round(unfusedRate, 2), Math.Round(fusedRate / unfusedRate, 3));
    }

    private static double? Mib(long? bytes) => bytes is { } b ? Math.Round(b / 1048576.0, 1) : null;

    /// <summary>
    /// Profiles <paramref name="steps"/> full steps (views made inline, one untimed step first) with libtorch's profiler and
    /// prints the breakdown: a table on standard error, one JSON object on standard output (docs/benchmarks.md §2.2).
    /// </summary>
    private static void PrintProfile(int steps)
    {
        using var fixture = new Fixture();
        var batch = fixture.Batch;
        using var trainer = fixture.Workload.Engine(fixture.MakeViews);
        trainer.Step(batch);
        Profiler.Start();
        IReadOnlyList<ProfiledRange> ranges;
        var clock = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < steps; i++) trainer.Step(batch);
        }
        finally
        {
            clock.Stop();
            ranges = Profiler.Stop();
        }
        var wall = clock.Elapsed.TotalMicroseconds;
        var (categories, operators) = StepProfile.Aggregate(ranges, wall);
        double PerStepMs(double us) => Math.Round(us / 1000 / steps, 2);
        Console.Error.WriteLine($"relicv2-step-small, {steps} profiled step(s), {PerStepMs(wall)} ms per step, {Torch.NumThreads} thread(s)");
        Console.Error.WriteLine($"  {"category",-34} {"ms/step",9} {"share",7}");
        foreach (var c in StepProfile.Categories)
            Console.Error.WriteLine($"  {c,-34} {PerStepMs(categories[c]),9:F2} {100 * categories[c] / wall,6:F1}%");
        var top = operators.OrderByDescending(kv => kv.Value).Take(10).ToList();
        Console.Error.WriteLine("  operators with the most self time:");
        foreach (var (name, us) in top) Console.Error.WriteLine($"    {name,-50} {PerStepMs(us),9:F2} ms/step");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            workload = "relicv2-step-small",
            profile_steps = steps,
            threads = Torch.NumThreads,
            ms_per_step = PerStepMs(wall),
            categories = StepProfile.Categories.Select(c => new { category = c, ms_per_step = PerStepMs(categories[c]), share_pct = Math.Round(100 * categories[c] / wall, 1) }),
            top_operators = top.Select(kv => new { name = kv.Key, ms_per_step = PerStepMs(kv.Value) }),
        }));
    }

    private static long HeadMacs(SiameseNetwork net, bool predictor) =>
        ComputeCost.LinearMultiplyAdds(net.Projector) + (predictor && net.Predictor is { } q ? ComputeCost.LinearMultiplyAdds(q) : 0);

    private sealed record Ratios(string workload, int round, double ours_compute_images_per_s, double pytorch_compute_images_per_s,
        double augment_ratio, double compute_ratio, double full_step_ratio, double pytorch_compute_pct_of_matmul_peak, double? peak_rss_ratio);

    /// <summary>Our measurement over PyTorch's of the same round (the PyTorch script's JSON object).</summary>
    private static Ratios Compare(Result ours, JsonElement reference)
    {
        double R(string key) => reference.GetProperty(key).GetDouble();
        double? rss = reference.TryGetProperty("peak_rss_mib", out var r) ? r.GetDouble() : null;
        return new Ratios("relicv2-step-small", 1, ours.compute_images_per_s, R("compute_images_per_s"),
            Math.Round(ours.augment_images_per_s / R("augment_images_per_s"), 2),
            Math.Round(ours.compute_images_per_s / R("compute_images_per_s"), 2),
            Math.Round(ours.full_step_images_per_s / R("full_step_images_per_s"), 2),
            Math.Round(100 * R("compute_gflops") / ours.peak_gflops, 1),
            rss is > 0 && ours.peak_rss_mib is { } mine ? Math.Round(mine / rss.Value, 2) : null);
    }

    /// <summary>The medians over rounds of the ratios and of each side's compute rate, with every round's compute ratio.</summary>
    internal static object Summarise(IReadOnlyList<(double Ours, double PyTorch, double Augment, double Compute, double Full)> rounds)
    {
        if (rounds.Count == 0) throw new ArgumentException("at least one round is needed", nameof(rounds));
        return new
        {
            workload = "relicv2-step-small",
            rounds = rounds.Count,
            compute_ratios = rounds.Select(r => r.Compute).ToArray(),
            compute_ratio_median = Median(rounds.Select(r => r.Compute)),
            full_step_ratio_median = Median(rounds.Select(r => r.Full)),
            augment_ratio_median = Median(rounds.Select(r => r.Augment)),
            ours_compute_images_per_s_median = Median(rounds.Select(r => r.Ours)),
            pytorch_compute_images_per_s_median = Median(rounds.Select(r => r.PyTorch)),
            ratio_of_medians = Math.Round(Median(rounds.Select(r => r.Ours)) / Median(rounds.Select(r => r.PyTorch)), 2),
        };
    }

    private static object Summarise(List<Ratios> ratios) =>
        Summarise(ratios.Select(r => (r.ours_compute_images_per_s, r.pytorch_compute_images_per_s, r.augment_ratio, r.compute_ratio, r.full_step_ratio)).ToList());

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var xs = values.Order().ToArray();
        if (xs.Length == 0) throw new ArgumentException("the median of no values is undefined", nameof(values));
        return xs.Length % 2 == 1 ? xs[xs.Length / 2] : (xs[xs.Length / 2 - 1] + xs[xs.Length / 2]) / 2;
    }

    private static JsonDocument? RunPyTorch(int steps, int threads, out string reason)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "bench", "pytorch", "relicv2_step_small.py");
        if (!File.Exists(script)) script = Path.GetFullPath(Path.Combine("bench", "pytorch", "relicv2_step_small.py"));
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script))
        {
            reason = "needs /usr/bin/python3 and bench/pytorch/relicv2_step_small.py (run from the repository root)";
            return null;
        }
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--channels-last" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            reason = $"the PyTorch reference failed: {error.Trim().Split('\n').LastOrDefault()}";
            return null;
        }
        reason = "";
        return JsonDocument.Parse(output.Trim().Split('\n').Last());
    }
}
