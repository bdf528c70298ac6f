using ReLICv2.Experiments;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The relic command line: versions, presets as JSON with --set overrides, one-line errors and exit codes.</summary>
[Collection(nameof(ConsoleCollection))]
public partial class CommandLineTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = Console.Out;
        var stderr = Console.Error;
        using var o = new StringWriter();
        using var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            var code = Program.BuildRoot().Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = o, Error = e });
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    [Fact]
    public void Version_names_the_framework_libtorch_and_cuda()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Contains($"ReLICv2.NET {Torch.FrameworkVersion}", output);
        Assert.Contains($"libtorch {Torch.Version}", output);
        Assert.Contains("CUDA available: " + (Torch.CudaIsAvailable ? "yes" : "no"), output);
    }

    [Fact]
    public void Presets_show_prints_the_experiment_as_json_after_overrides()
    {
        var (code, output, _) = Run("presets", "show", "fashion-mnist", "--set", "epochs=3", "--set", "optimizer.learningRate=0.25");
        Assert.Equal(0, code);
        var experiment = Experiment.FromJson(output);
        Assert.Equal(3, experiment.Epochs);
        Assert.Equal(0.25, experiment.Optimizer.LearningRate);
        Assert.Equal(Experiment.FashionMnistReLICv2().With("epochs", "3").With("optimizer.learningRate", "0.25"), experiment);
    }

    [Theory]
    [InlineData("pretrain --preset nope", "'nope' is not one of fashion-mnist")]
    [InlineData("pretrain --set epochs", "is not path=value")]
    [InlineData("pretrain --set epochs=0", "Epochs must be >= 1")]
    [InlineData("pretrain --set optimizer.learningRate=1e300", "OptimizerSpec.LearningRate must be in (0, 1E+30]")]
    [InlineData("pretrain --set evaluation.probeLearningRate=1e39", "EvaluationSpec.ProbeLearningRate must be in (0, 1E+30]")]
    [InlineData("presets show --set optimiser.lr=1", "'optimiser' is not a field")]
    [InlineData("views --count 0", "--count must be in [1, 64]")]
    [InlineData("eval linear --run-dir /nonexistent-relic-run", "is not a run directory")]
    [InlineData("bench step --shards 0", "--shards must be in [1, 16] (batch 32), got 0")]
    [InlineData("pretrain --set shards=0", "Experiment.Shards must be in [1, 64]")]
    [InlineData("bench step --contend 300", "--contend must be in [0, 256], got 300")]
    [InlineData("bench step --contend-limit 5", "--contend-limit must be in [10, 86400] seconds, got 5")]
    [InlineData("bench step --augment-threads 0", "--augment-threads must be in [1, 256], got 0")]
    [InlineData("bench step --repeat 21 --pytorch", "--repeat must be in [1, 20], got 21")]
    [InlineData("bench step --repeat 3", "--repeat needs --pytorch")]
    public void Bad_arguments_give_a_one_line_error_and_exit_code_2(string args, string message)
    {
        var (code, _, error) = Run(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
    }
}

public partial class CommandLineTests
{
    [Fact]
    public void Bench_step_with_shards_and_unfused_measures_each_and_prints_their_ratios()
    {
        var (code, output, error) = Run("bench", "step", "--steps", "1", "--shards", "2", "--unfused");
        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n').Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        var (ours, fusion, sharded, shardRatio) = (lines[0], lines[1], lines[2], lines[3]);
        Assert.Equal(1, ours.GetProperty("shards").GetInt32());
        Assert.True(ours.GetProperty("fused_batch_norm").GetBoolean());
        Assert.Equal(2, sharded.GetProperty("shards").GetInt32());
        Assert.True(sharded.GetProperty("compute_images_per_s").GetDouble() > 0);
        var ratio = shardRatio.GetProperty("sharded_compute_ratio").GetDouble();
        Assert.Equal(Math.Round(sharded.GetProperty("compute_images_per_s").GetDouble() / ours.GetProperty("compute_images_per_s").GetDouble(), 2), ratio);
        // At least 6 alternating rounds; the ratio is of the unrounded medians, so within rounding of the printed ones.
        Assert.Equal(6, fusion.GetProperty("rounds").GetInt32());
        var (on, off) = (fusion.GetProperty("fused_compute_images_per_s").GetDouble(), fusion.GetProperty("unfused_compute_images_per_s").GetDouble());
        Assert.True(on > 0 && off > 0, fusion.ToString());
        Assert.Equal(on / off, fusion.GetProperty("fused_compute_ratio").GetDouble(), 0.01);
        Assert.True(Torch.FusedBatchNorm, "the benchmark left the fusion off");
    }
}

public partial class CommandLineTests
{
    [Fact]
    public void Bench_step_contended_and_profiled_reports_slowdowns_peaks_and_a_breakdown_and_leaves_no_busy_process()
    {
        var (code, output, error) = Run("bench", "step", "--steps", "1", "--contend", "1", "--contend-limit", "300", "--profile");
        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n').Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        var (quiet, contended, slowdown, profile) = (lines[0], lines[1], lines[2], lines[3]);
        foreach (var line in new[] { quiet, contended })
        {
            Assert.True(line.GetProperty("matmul_gflops").GetDouble() > 0);
            Assert.True(line.GetProperty("gemm_peak_gflops").GetDouble() > 0);
            Assert.Equal(Math.Max(line.GetProperty("matmul_gflops").GetDouble(), line.GetProperty("gemm_peak_gflops").GetDouble()),
                line.GetProperty("peak_gflops").GetDouble(), 2);
            Assert.InRange(100 * line.GetProperty("compute_gflops").GetDouble() / line.GetProperty("peak_gflops").GetDouble()
                - line.GetProperty("compute_pct_of_matmul_peak").GetDouble(), -0.2, 0.2);
            Assert.True(line.GetProperty("conv_ceiling_gflops").GetDouble() > 0);
            Assert.InRange(100 * line.GetProperty("conv_ceiling_gflops").GetDouble() / line.GetProperty("peak_gflops").GetDouble()
                - line.GetProperty("conv_ceiling_pct_of_peak").GetDouble(), -0.2, 0.2);
            Assert.True(line.GetProperty("peak_rss_mib").GetDouble() > 0);
            Assert.Equal(Torch.BuildArchitecture, line.GetProperty("shim_arch").GetString());
            Assert.Equal(1, line.GetProperty("augment_threads").GetInt32());
        }
        Assert.Equal(0, quiet.GetProperty("contending_processes").GetInt32());
        Assert.Equal(1, contended.GetProperty("contending_processes").GetInt32());
        double D(System.Text.Json.JsonElement e, string key) => e.GetProperty(key).GetDouble();
        Assert.Equal(Math.Round(D(quiet, "augment_images_per_s") / D(contended, "augment_images_per_s"), 2), D(slowdown, "augment_slowdown"));
        Assert.Equal(Math.Round(D(quiet, "full_step_images_per_s") / D(contended, "full_step_images_per_s"), 2), D(slowdown, "full_step_slowdown"));
        var categories = profile.GetProperty("categories").EnumerateArray().ToList();
        Assert.Equal(ReLICv2.Experiments.StepProfile.Categories, categories.Select(c => c.GetProperty("category").GetString()));
        // Each category is rounded to 0.01 ms: together they are the step's time within their rounding.
        Assert.Equal(D(profile, "ms_per_step"), categories.Sum(c => D(c, "ms_per_step")), 0.005 * (categories.Count + 1));
        Assert.True(categories.Single(c => c.GetProperty("category").GetString() == ReLICv2.Experiments.StepProfile.Convolution).GetProperty("ms_per_step").GetDouble() > 0);
        Assert.Contains("convolution", error);
        Assert.Empty(ChildProcesses("timeout"));
    }

    /// <summary>This process' children named <paramref name="command"/>, from /proc.</summary>
    private static List<int> ChildProcesses(string command)
    {
        var me = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var ppid = stat[(close + 2)..].Split(' ')[1];
                if (name == command && ppid == me) found.Add(pid);
            }
            catch (IOException)
            {
                // the process ended while being read
            }
        }
        return found;
    }
}

/// <summary>Tests that redirect the process-wide console run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public class ConsoleCollection;
