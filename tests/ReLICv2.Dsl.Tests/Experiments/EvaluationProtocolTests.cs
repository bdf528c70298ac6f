using ReLICv2.Data;
using ReLICv2.Experiments;
using ReLICv2.Nn;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Semi-supervised fine-tuning, the supervised recipe and transfer (docs/evaluation.md), on tiny encoders and synthetic data.</summary>
public sealed class EvaluationProtocolTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-protocols-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private static Experiment Tiny(bool supervised = false) => new(
        "tiny",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        1, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 2, knnK: 5, randomInitBaseline: false, supervisedBaseline: supervised, supervisedEpochs: 1, probeAugmentedCopies: 0));

    private static FineTuningOptions Short => new(2, 8, 0.5, 0.05, 0);

    private static List<Tensor> Snapshot(Module m) => [.. m.Parameters().Concat(m.NamedBuffers().Select(b => b.Tensor)).Select(t => t.Clone())];

    private static bool[] Moved(Module m, List<Tensor> before) =>
        [.. m.Parameters().Concat(m.NamedBuffers().Select(b => b.Tensor)).Zip(before, (now, was) => !now.Equal(was))];

    [Fact]
    public void Fine_tuning_moves_every_encoder_parameter_while_the_probe_moves_none()
    {
        var e = Tiny();
        var (train, test) = e.Dataset.Load();
        using var g = new Generator(5);
        using var encoder = e.Encoder.Build(train.Channels, g);
        var parameterCount = encoder.Parameters().Count;

        var before = Snapshot(encoder);
        using (var features = FeatureExtractor.Extract(encoder, train))
        using (var testFeatures = FeatureExtractor.Extract(encoder, test))
        using (var probe = LinearProbe.Train(features, train.ClassCount, new LinearProbeOptions(epochs: 2)))
        {
            Assert.InRange(probe.Score(testFeatures).Top1, 0, 1);
            _ = KnnClassifier.Score(features, testFeatures, train.ClassCount, 5, 0.07);
        }
        Assert.All(Moved(encoder, before), moved => Assert.False(moved));

        var subset = LabelSubset.Draw(train, 0.5, 1);
        var score = FineTuning.Run(encoder, encoder.OutputDim, train, subset, test, Short, 7);
        Assert.InRange(score.Top1, 0, 1);
        var moved = Moved(encoder, before);
        Assert.All(moved.Take(parameterCount), Assert.True);
        foreach (var t in before) t.Dispose();
    }

    [Fact]
    public void The_sweep_selects_the_rate_of_the_best_held_out_score()
    {
        Assert.Equal(0.3, new LearningRateSweep([0.03, 0.1, 0.3], [0.5, 0.6, 0.7]).Best);
        Assert.Equal(0.03, new LearningRateSweep([0.03, 0.1, 0.3], [0.9, 0.6, 0.7]).Best);
        Assert.Equal(0.1, new LearningRateSweep([0.03, 0.1, 0.3], [double.NaN, 0.2, double.NaN]).Best);
        Assert.Equal(0.1, new LearningRateSweep([0.03, 0.1, 0.3], [0.4, 0.8, 0.8]).Best);
        Assert.Equal(0.2, new LearningRateSweep([0.2], []).Best);
        Assert.Contains("0.1 → 80.0 %", new LearningRateSweep([0.03, 0.1, 0.3], [0.4, 0.8, 0.7]).Describe());
        Assert.Throws<ArgumentException>(() => new LearningRateSweep([0.03, 0.1], [0.4]));
    }

    [Fact]
    public void The_sweep_trains_three_rates_on_the_split_less_a_held_out_tenth()
    {
        var e = Tiny(supervised: true);
        var (train, _) = e.Dataset.Load();
        var (fit, heldOut) = SupervisedRecipe.HoldOut(train, e.Seed);
        Assert.Equal((58, 6), (fit.Count, heldOut.Count));
        var sweep = SupervisedRecipe.Sweep(e, train);
        Assert.Equal([0.1 / 3, 0.1, 0.1 * 3], sweep.LearningRates);
        Assert.Equal(3, sweep.HeldOutTop1.Count);
        Assert.All(sweep.HeldOutTop1, s => Assert.True(double.IsNaN(s) || s is >= 0 and <= 1));
        var best = sweep.HeldOutTop1.Select((s, i) => (s, i)).Where(p => !double.IsNaN(p.s)).MaxBy(p => p.s).i;
        Assert.Equal(sweep.LearningRates[best], sweep.Best);
    }

    [Fact]
    public void A_run_reports_both_supervised_rows_and_fine_tuning_adds_rows_without_touching_the_checkpoint()
    {
        var result = Tiny(supervised: true).Run(dir);
        Assert.Equal(
            [(ExperimentRunner.Pretrained(Tiny()), ExperimentRunner.Probe), (ExperimentRunner.Pretrained(Tiny()), ExperimentRunner.Knn),
             (ExperimentRunner.SupervisedSameTime, ExperimentRunner.LabelsEndToEnd), (ExperimentRunner.SupervisedReference, ExperimentRunner.LabelsEndToEnd)],
            result.Accuracies.Select(a => (a.Encoder, a.Protocol)));
        Assert.Contains("lr ", result.Find(ExperimentRunner.SupervisedReference, ExperimentRunner.LabelsEndToEnd)!.Note);
        var run = new RunDirectory(dir);
        var checkpoint = File.ReadAllBytes(Path.Combine(run.Checkpoints, "last.safetensors"));

        var rows = RunEvaluation.FineTune(dir, 0.25, Short);
        var protocol = RunEvaluation.FineTuneProtocol(0.25);
        Assert.Equal([(ExperimentRunner.Pretrained(Tiny()), protocol), (ExperimentRunner.RandomInit, protocol)], rows.Select(r => (r.Encoder, r.Protocol)));
        var subsetFile = RunEvaluation.SubsetPath(run, DatasetKind.Synthetic, 64, 0.25, 3);
        var subset = LabelSubset.Load(subsetFile);
        Assert.Equal(16, subset.Indices.Count);
        Assert.Equal(LabelSubset.Draw(Tiny().Dataset.Load().Train, 0.25, 3), subset);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(run.Checkpoints, "last.safetensors")));
        Assert.Equal(6, ResultsFile.Read(run).Count);

        // Again: the saved subset is reused, the rows replaced rather than repeated, and a failure leaves the run as it was.
        var again = RunEvaluation.FineTune(dir, 0.25, Short, randomInit: false);
        Assert.Equal(rows[0].Top1, again[0].Top1);
        Assert.Equal(6, ResultsFile.Read(run).Count);
        var other = Path.Combine(dir, "other.json");
        new LabelSubset(0.5, 1, 10, [0, 1]).Save(other);
        Assert.Throws<ArgumentException>(() => RunEvaluation.FineTune(dir, 0.25, Short, subsetPath: other));
        Assert.Equal(6, ResultsFile.Read(run).Count);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(run.Checkpoints, "last.safetensors")));
    }

    [Fact]
    public void Without_reference_epochs_a_run_trains_only_the_same_time_supervised_row()
    {
        var e = Tiny(supervised: true);
        e = e.With(evaluation: new EvaluationSpec(probeEpochs: 1, knnK: 5, randomInitBaseline: false, probeAugmentedCopies: 0, supervisedSweepFactor: 1));
        var result = e.Run(dir);
        Assert.Equal([ExperimentRunner.Pretrained(Tiny()), ExperimentRunner.Pretrained(Tiny()), ExperimentRunner.SupervisedSameTime], result.Accuracies.Select(a => a.Encoder));
        Assert.Contains("same wall-clock as pre-training + evaluation: ", result.Accuracies[^1].Note);
        Assert.EndsWith(" min; lr 0.1 (no sweep)", result.Accuracies[^1].Note);
    }

    [Fact]
    public void A_transfer_probe_runs_on_another_dataset_brought_to_the_encoder_shape()
    {
        Tiny().Run(dir);
        var resized = new DatasetSpec(DatasetKind.Synthetic, trainLimit: 48, testLimit: 24, imageSize: 24);
        var rows = ExperimentRunner.EvaluateRun(dir, probe: true, knn: true, dataset: resized);
        Assert.Equal([ExperimentRunner.Probe + ExperimentRunner.TransferSuffix(DatasetKind.Synthetic), ExperimentRunner.Knn + ExperimentRunner.TransferSuffix(DatasetKind.Synthetic)],
            rows.Select(r => r.Protocol));
        Assert.All(rows, r => Assert.InRange(r.Top1, 0, 1));

        if (!File.Exists(Path.Combine(FashionMnist.DefaultRoot, "t10k-labels-idx1-ubyte.gz"))) return; // grey → RGB needs dataset-fashion-mnist
        var grey = new DatasetSpec(DatasetKind.FashionMnist, trainLimit: 64, testLimit: 32);
        var fromGrey = ExperimentRunner.EvaluateRun(dir, probe: true, knn: false, dataset: grey);
        Assert.InRange(Assert.Single(fromGrey).Top1, 0, 1);
        var tuned = RunEvaluation.FineTune(dir, 0.5, Short, dataset: grey, randomInit: false);
        Assert.Equal(RunEvaluation.FineTuneProtocol(0.5, DatasetKind.FashionMnist), Assert.Single(tuned).Protocol);
    }
}
