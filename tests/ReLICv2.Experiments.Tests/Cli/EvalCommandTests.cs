using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary><c>relic eval finetune</c> and <c>relic eval linear --dataset</c> end to end with tiny settings (docs/evaluation.md).</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class EvalCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-cli-eval-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Experiment Tiny() => new(
        "tiny-eval",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 32, testLimit: 16, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        1, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 1, knnK: 5, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));

    [Fact]
    public void Finetune_and_transfer_commands_run_and_fine_tuning_rows_reach_results_json()
    {
        Tiny().Run(dir);
        var (code, output, error) = CommandLineTests.Run("eval", "finetune", "--run-dir", dir, "--fraction", "0.25", "--epochs", "1", "--batch-size", "4");
        Assert.True(code == 0, error);
        Assert.Contains("label subset: 8 class-balanced images", output);
        var rows = ResultsFile.Read(new RunDirectory(dir));
        Assert.Contains(rows, r => r.Encoder == ExperimentRunner.Pretrained(Tiny()) && r.Protocol == RunEvaluation.FineTuneProtocol(0.25));
        Assert.Contains(rows, r => r.Encoder == ExperimentRunner.RandomInit && r.Protocol == RunEvaluation.FineTuneProtocol(0.25));

        (code, output, error) = CommandLineTests.Run("eval", "linear", "--checkpoint", Path.Combine(dir, "checkpoints", "last"),
            "--dataset", "synthetic", "--image-size", "20", "--train-limit", "24", "--test-limit", "12");
        Assert.True(code == 0, error);
        Assert.Contains("transfer to Synthetic", output);

        (code, output, error) = CommandLineTests.Run("supervised", "--run-dir", dir, "--set", "evaluation.supervisedEpochs=1", "--set", "evaluation.supervisedSweepFactor=1");
        Assert.True(code == 0, error);
        Assert.Contains("added to", output);
        var after = ResultsFile.Read(new RunDirectory(dir));
        Assert.Equal(rows, after.Take(rows.Count));
        var reference = Assert.Single(after, r => r.Encoder == ExperimentRunner.SupervisedReference);
        Assert.Equal(ExperimentRunner.LabelsEndToEnd, reference.Protocol);
        Assert.Equal("reference trained to convergence: 1 epochs; lr 0.1 (no sweep)", reference.Note);

        (code, _, error) = CommandLineTests.Run("eval", "linear", "--run-dir", dir, "--dataset", "mnist-ish");
        Assert.Equal(2, code);
        Assert.Contains("--dataset 'mnist-ish' is not one of", error);
        (code, _, error) = CommandLineTests.Run("eval", "finetune", "--run-dir", dir, "--fraction", "1.5");
        Assert.Equal(2, code);
        Assert.Contains("--fraction must be in (0, 1]", error);
    }
}
