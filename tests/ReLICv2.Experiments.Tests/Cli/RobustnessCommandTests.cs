using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary><c>relic eval robustness</c> and <c>relic views --mask-probability</c> end to end at tiny settings.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class RobustnessCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-cli-robustness-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Experiment Tiny() => new(
        "tiny-robustness",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 32, testLimit: 16, imageSize: 16, masks: MaskSourceSpec.Dataset),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        1, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 1, knnK: 5, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));

    [Fact]
    public void Eval_robustness_prints_the_table_and_writes_rows_and_report()
    {
        var config = Path.Combine(dir, "tiny.json");
        File.WriteAllText(config, Tiny().ToJson());
        var run = Path.Combine(dir, "run");
        var (code, _, error) = CommandLineTests.Run("pretrain", "--config", config, "--run-dir", run, "--plain");
        Assert.True(code == 0, error);

        (code, var output, error) = CommandLineTests.Run("eval", "robustness", "--run-dir", run, "--corruptions", "contrast, background-shift");
        Assert.True(code == 0, error);
        Assert.Contains("contrast", output);
        Assert.Contains("background-shift", output);
        Assert.Contains("mean corruption accuracy:", output);
        var rows = ResultsFile.Read(new RunDirectory(run)).Where(r => r.Protocol == RobustnessEvaluation.Protocol).ToList();
        Assert.Equal(1 + 2 * 5 + 1, rows.Count);
        var report = File.ReadAllText(new RunDirectory(run).Report);
        Assert.Contains("<h2>Robustness</h2>", report);
        Assert.Contains($"({ExperimentRunner.CorruptionsFile}):", report);
    }

    [Fact]
    public void An_unknown_corruption_is_a_one_line_error_listing_the_names()
    {
        var (code, _, error) = CommandLineTests.Run("eval", "robustness", "--run-dir", dir, "--corruptions", "fog");
        Assert.Equal(2, code);
        Assert.Contains("'fog' is not a corruption", error);
        Assert.Contains("gaussian-noise", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Views_mask_probability_masks_the_experiments_own_chains_with_its_mask_source()
    {
        var config = Path.Combine(dir, "tiny.json");
        File.WriteAllText(config, Tiny().ToJson());
        var png = Path.Combine(dir, "views.png");
        var (code, output, error) = CommandLineTests.Run("views", "--config", config, "--count", "2", "--out", png, "--mask-probability", "0.5");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(png));
        Assert.Contains(Tiny().Views.WithMaskProbability(0.5).ToString(), output.ReplaceLineEndings());

        File.WriteAllText(config, Tiny().With(dataset: new DatasetSpec(DatasetKind.Synthetic, trainLimit: 32, testLimit: 16, imageSize: 16)).ToJson());
        (code, _, error) = CommandLineTests.Run("views", "--config", config, "--count", "2", "--out", png, "--mask-probability", "0.5");
        Assert.Equal(2, code);
        Assert.Contains("--set dataset.masks=boundary-contrast", error);
    }
}
