using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// <c>relic pretrain --resume</c>, <c>relic eval</c> and <c>--config</c> on damaged files: a one-line error naming the file and
/// the field, a non-zero exit code, and the run directory left as it was.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class HostileRunDirectoryCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-cli-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Experiment Tiny() => new(
        "tiny-cli",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 32, testLimit: 16, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        1, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 1, knnK: 5, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));

    /// <summary>A run directory whose experiment.json says batchSize "sixteen"; returns (config, run directory, experiment.json).</summary>
    private (string Config, string Run, string ExperimentJson) GarbageRun()
    {
        var config = Path.Combine(dir, "tiny.json");
        File.WriteAllText(config, Tiny().ToJson());
        var run = Path.Combine(dir, "run");
        Directory.CreateDirectory(run);
        var experiment = Path.Combine(run, "experiment.json");
        File.WriteAllText(experiment, Tiny().ToJson().Replace("\"batchSize\": 16", "\"batchSize\": \"sixteen\"", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(experiment, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        return (config, run, experiment);
    }

    [Fact]
    public void Pretrain_resume_with_a_garbage_experiment_json_names_the_file_and_the_field_and_leaves_it()
    {
        var (config, run, experiment) = GarbageRun();
        var before = File.ReadAllBytes(experiment);
        var (code, _, error) = CommandLineTests.Run("pretrain", "--config", config, "--run-dir", run, "--resume", "--plain");
        Assert.Equal(1, code);
        Assert.Contains($"experiment file '{experiment}'", error);
        Assert.Contains("field 'batchSize'", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(before, File.ReadAllBytes(experiment));
        Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(experiment));
        Assert.Equal(["experiment.json"], Directory.GetFiles(run).Select(Path.GetFileName));
    }

    [Fact]
    public void Eval_with_a_garbage_experiment_json_names_the_file_and_the_field()
    {
        var (_, run, experiment) = GarbageRun();
        var (code, _, error) = CommandLineTests.Run("eval", "knn", "--run-dir", run);
        Assert.Equal(2, code);
        Assert.Contains($"experiment file '{experiment}'", error);
        Assert.Contains("field 'batchSize'", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void A_garbage_config_file_names_the_file_and_the_field()
    {
        var (_, _, experiment) = GarbageRun();
        var (code, _, error) = CommandLineTests.Run("presets", "show", "--config", experiment);
        Assert.Equal(2, code);
        Assert.Contains($"experiment file '{experiment}'", error);
        Assert.Contains("field 'batchSize'", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
