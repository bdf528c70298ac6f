using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic bench augment</c>: source images per second through a view set (docs/benchmarks.md §3): the paper's full ReLICv2 set
/// (4 × 224 + 2 × 96) on 64 uint8 RGB 256 × 256 sources (<c>augment-relicv2-224</c>) and the small set (4 × 32 +
/// 2 × 16) on 32 uint8 RGB 40 × 40 sources (<c>augment-relicv2-32</c>). Each workload prints one JSON object; when
/// /usr/bin/python3 with torchvision is present the same workloads are measured through torchvision's per-image
/// transforms in the same run, and a ratio line follows.
/// </summary>
public static class BenchAugmentCommand
{
    /// <summary>One benchmark workload: a view set applied to a batch of uint8 sources.</summary>
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Workload(string Name, int Batch, int SourceSize, ViewSet Views);

    /// <summary>The <c>augment</c> command (registered under <c>relic bench</c>).</summary>
    public static Command Build()
    {
        var iterations = new Option<int>("--iterations") { Description = "Timed batches per workload (1-1000).", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (1-256).", DefaultValueFactory = _ => 2 };
        var workload = new Option<string>("--workload") { Description = "224, 32 or all.", DefaultValueFactory = _ => "all" };
        var noTorchvision = new Option<bool>("--no-torchvision") { Description = "Skip the torchvision reference measurement." };
        var command = new Command("augment", "Source images/s through the ReLICv2 view sets (docs/benchmarks.md §3: augment-relicv2-224 and the 32 px set), with torchvision alongside.")
            { iterations, threads, workload, noTorchvision };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(iterations);
            var t = parse.GetValue(threads);
            var which = parse.GetValue(workload) ?? "all";
            if (n is < 1 or > 1000) { Console.Error.WriteLine($"relic bench augment: --iterations must be in [1, 1000], got {n}"); return 2; }
            if (t is < 1 or > 256) { Console.Error.WriteLine($"relic bench augment: --threads must be in [1, 256], got {t}"); return 2; }
            if (which is not ("all" or "224" or "32")) { Console.Error.WriteLine($"relic bench augment: --workload must be 224, 32 or all, got '{which}'"); return 2; }
            Torch.SetNumThreads(t);
            var workloads = new List<Workload>();
            if (which is "all" or "224") workloads.Add(new("augment-relicv2-224", 64, 256, ViewSet.ReLICv2()));
            if (which is "all" or "32") workloads.Add(new("augment-relicv2-32", 32, 40, ViewSet.ReLICv2Cifar()));
            foreach (var w in workloads)
            {
                var ours = Measure(w, n);
                Print(w, "relicv2.net", ours, t, n);
                if (parse.GetValue(noTorchvision)) continue;
                var reference = MeasureTorchvision(w, n, t, out var reason);
                if (reference is { } r)
                {
                    Print(w, "torchvision-per-image", r, t, n);
                    Console.WriteLine(JsonSerializer.Serialize(new { workload = w.Name, speedup_vs_torchvision = Math.Round(ours / r, 2) }, Json));
                }
                else Console.WriteLine(JsonSerializer.Serialize(new { workload = w.Name, implementation = "torchvision-per-image", skipped = reason }, Json));
            }
            return 0;
        });
        return command;
    }

    private static void Print(Workload w, string implementation, double imagesPerSecond, int threads, int iterations) =>
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            workload = w.Name,
            implementation,
            images_per_second = Math.Round(imagesPerSecond, 2),
            batch = w.Batch,
            source = $"{w.SourceSize}x{w.SourceSize} uint8 RGB",
            views = $"{w.Views.LargeCount}x{w.Views.LargeSize}+{w.Views.SmallCount}x{w.Views.SmallSize}",
            threads,
            iterations,
        }, Json));

    /// <summary>Source images per second: sample + apply of every view on one batch, after one warm-up batch.</summary>
    private static double Measure(Workload w, int iterations)
    {
        using var gen = new Generator(1);
        using var scope = Torch.NewScope();
        var sources = Torch.RandInt(0, 256, [w.Batch, 3, w.SourceSize, w.SourceSize], gen).To(DType.UInt8);
        void Once(ulong seed)
        {
            using var views = w.Views.Run(sources, seed);
        }
        Once(0);
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= iterations; i++) Once((ulong)i);
        return w.Batch * iterations / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The same workload through torchvision 0.14's per-image tensor transforms (BYOL-style Compose per view).</summary>
    private static double? MeasureTorchvision(Workload w, int iterations, int threads, out string reason)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) { reason = $"{python} not found"; return null; }
        var large = w.Views.LargeSize;
        var small = w.Views.SmallSize ?? 0;
        var script = string.Join('\n',
            "import sys, time, torch",
            "try:",
            "    import torchvision.transforms as T",
            "except Exception as e:",
            "    print('SKIP torchvision unavailable: %s' % e); sys.exit(0)",
            "torch.set_num_threads(int(sys.argv[1])); torch.manual_seed(0)",
            "B, S, L, SM, IT = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])",
            "def chain(size, area, odd):",
            "    k = max(3, int(size * 0.1) // 2 * 2 + 1)",
            "    return T.Compose([T.RandomResizedCrop(size, scale=area, interpolation=T.InterpolationMode.BICUBIC), T.RandomHorizontalFlip(),",
            "        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8), T.RandomGrayscale(0.2),",
            "        T.RandomApply([T.GaussianBlur(k, (0.1, 2.0))], p=0.1 if odd else 1.0), T.RandomSolarize(0.5, p=0.2 if odd else 0.0)])",
            "views = [chain(L, (0.14, 1.0), i % 2 == 0) for i in range(4)] + [chain(SM, (0.05, 0.14), j % 2 == 0) for j in range(2)]",
            "src = torch.randint(0, 256, (B, 3, S, S), dtype=torch.uint8)",
            "def once():",
            "    x = src.float() / 255",
            "    return [torch.stack([v(x[i]) for i in range(B)]) for v in views]",
            "once()",
            "t = time.perf_counter()",
            "for _ in range(IT): once()",
            "print('RATE %f' % (B * IT / (time.perf_counter() - t)))");
        try
        {
            var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(script);
            foreach (var a in new[] { threads, w.Batch, w.SourceSize, large, small, iterations }) info.ArgumentList.Add(a.ToString(CultureInfo.InvariantCulture));
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            var rate = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("RATE ", StringComparison.Ordinal));
            if (rate is not null) { reason = ""; return double.Parse(rate[5..], CultureInfo.InvariantCulture); }
            var skip = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("SKIP ", StringComparison.Ordinal));
            reason = skip is not null ? skip[5..] : $"python exited {process.ExitCode}: {stderr.Trim().Split('\n').LastOrDefault()}";
            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            reason = $"could not run {python}: {e.Message}";
            return null;
        }
    }
}
