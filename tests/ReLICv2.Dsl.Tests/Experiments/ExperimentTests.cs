using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

public sealed class ExperimentTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-experiment-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    public static TheoryData<string> PresetNames() => new(Experiment.Named.Keys);

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Presets_round_trip_through_json_with_equality(string name)
    {
        var e = Experiment.Named[name]();
        var back = Experiment.FromJson(e.ToJson());
        Assert.Equal(e, back);
        Assert.Equal(e.ToJson(), back.ToJson());
    }

    [Fact]
    public void The_fast_preset_is_the_two_by_two_view_preset_without_the_stem_max_pool_at_batch_128()
    {
        var fast = Experiment.Named["fashion-mnist-fast"]();
        var twoByTwo = Experiment.FashionMnistReLICv2(largeViews: 2, smallViews: 2);
        Assert.Equal((2, 2), (fast.Views.LargeViews.Count, fast.Views.SmallViews.Count));
        Assert.Equal(Experiment.Named["fashion-mnist"]().Views.SmallViews[0], fast.Views.SmallViews[0]); // the main job's small views
        Assert.Equal("relicv2-fashion-mnist-fast", fast.Name);
        Assert.False(fast.Encoder.StemMaxPool);
        Assert.Null(twoByTwo.Encoder.StemMaxPool); // the stem's default: torchvision's max-pool
        Assert.Equal(128, fast.BatchSize);
        // Everything else is ReLICv2's [2, 2] preset: objective, views, target, optimiser (its rate per 256), evaluation, budget.
        Assert.Equal(twoByTwo.WithAssignment("encoder.stemMaxPool=false").WithAssignment("batchSize=128").WithAssignment("name=relicv2-fashion-mnist-fast"), fast);
        Assert.Equal(15, fast.TimeBudgetMinutes);
        Assert.Equal(64, Experiment.FashionMnistReLICv2Fast(7.5, batchSize: 64).BatchSize);
        Assert.Equal(7.5, Experiment.FashionMnistReLICv2Fast(7.5).TimeBudgetMinutes);
    }

    [Fact]
    public void WithAssignment_applies_path_equals_value_as_With_does_and_refuses_other_text()
    {
        var e = Experiment.FashionMnistReLICv2();
        Assert.Equal(e.With("encoder.stemMaxPool", "false"), e.WithAssignment(" encoder.stemMaxPool = false "));
        Assert.Equal(e.With("name", "a=b"), e.WithAssignment("name=a=b"));
        Assert.Contains("'epochs' is not path=value", Assert.Throws<ArgumentException>(() => e.WithAssignment("epochs")).Message);
        Assert.Contains("'=3' is not path=value", Assert.Throws<ArgumentException>(() => e.WithAssignment("=3")).Message);
        Assert.Contains("Epochs must be >= 1", Assert.Throws<ArgumentException>(() => e.WithAssignment("epochs=0")).Message);
    }

    [Fact]
    public void With_sets_a_field_by_its_json_path_and_validates_it()
    {
        var e = Experiment.FashionMnistReLICv2();
        var changed = e.With("epochs", "3").With("optimizer.learningRate", "0.5").With("dataset.trainLimit", "1000").With("timeBudgetMinutes", "null");
        Assert.Equal(3, changed.Epochs);
        Assert.Equal(0.5, changed.Optimizer.LearningRate);
        Assert.Equal(1000, changed.Dataset.TrainLimit);
        Assert.Null(changed.TimeBudgetMinutes);
        Assert.NotEqual(e, changed);
        Assert.Equal(e with { }, e);
        Assert.Equal(OptimizerKind.Sgd, e.With("optimizer.kind", "Sgd").Optimizer.Kind);

        var unknown = Assert.Throws<ArgumentException>(() => e.With("optimiser.learningRate", "1"));
        Assert.Contains("'optimiser' is not a field", unknown.Message);
        Assert.Contains("optimizer", unknown.Message);
        var invalid = Assert.Throws<ArgumentException>(() => e.With("epochs", "0"));
        Assert.Contains("Epochs must be >= 1", invalid.Message);
        var badLr = Assert.Throws<ArgumentException>(() => e.With("optimizer.learningRate", "-1"));
        Assert.Contains("LearningRate", badLr.Message);
        Assert.Contains("-1", badLr.Message);
    }

    [Fact]
    public void Invalid_specifications_are_rejected_naming_the_field()
    {
        Assert.Contains("Depth", Assert.Throws<ArgumentOutOfRangeException>(() => new EncoderSpec(19)).Message);
        Assert.Contains("BaseGamma", Assert.Throws<ArgumentOutOfRangeException>(() => new EmaSpec(1.5)).Message);
        Assert.Contains("TrainLimit", Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetSpec(DatasetKind.Synthetic, trainLimit: 0)).Message);
        var e = Experiment.FashionMnistReLICv2();
        Assert.Throws<ArgumentException>(() => new Experiment("x", e.Dataset, e.Encoder, e.Heads, e.Views, e.Objective, TargetMode.Shared, new EmaSpec(), e.Optimizer, 1, 8));
        var missing = Assert.Throws<System.Text.Json.JsonException>(() => Experiment.FromJson("{\"name\": \"x\"}"));
        Assert.Contains("missing field(s) dataset, encoder, heads", missing.Message);
    }

    private static Experiment Tiny(int epochs = 1) => new(
        "tiny",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        epochs, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 2, knnK: 5, supervisedEpochs: 2));

    [Fact]
    public void A_tiny_experiment_runs_end_to_end_and_resumes()
    {
        var result = Tiny().Run(dir);
        Assert.Equal(4, result.Pretraining.StepsDone);
        Assert.Equal(
            [("ReLICv2 pre-trained", ExperimentRunner.Probe), ("ReLICv2 pre-trained", ExperimentRunner.Knn),
             (ExperimentRunner.RandomInit, ExperimentRunner.Probe), (ExperimentRunner.RandomInit, ExperimentRunner.Knn),
             (ExperimentRunner.SupervisedSameTime, ExperimentRunner.LabelsEndToEnd), (ExperimentRunner.SupervisedReference, ExperimentRunner.LabelsEndToEnd)],
            result.Accuracies.Select(a => (a.Encoder, a.Protocol)));
        Assert.All(result.Accuracies, a => Assert.InRange(a.Top1, 0, 1));
        var run = new RunDirectory(dir);
        Assert.Equal(Tiny(), Experiment.FromJson(File.ReadAllText(run.Experiment)));
        Assert.Equal(4, MetricsLog.Read(run.Metrics).Count);
        Assert.True(File.Exists(run.Views));
        Assert.True(File.Exists(run.Results));

        var again = Assert.Throws<InvalidOperationException>(() => Tiny().Run(dir));
        Assert.Contains("--resume", again.Message);
        var other = Assert.Throws<InvalidOperationException>(() => Tiny(epochs: 2).Run(dir, resume: true));
        Assert.Contains("different experiment", other.Message);

        var resumed = Tiny().Run(dir, resume: true);
        Assert.Equal(4, resumed.Pretraining.StepsDone);
        Assert.Equal(4, MetricsLog.Read(run.Metrics).Count);
    }

    [Fact]
    public void Evaluating_the_ema_target_adds_rows_scored_on_the_checkpointed_target_encoder()
    {
        var e = Tiny().With("evaluation.evaluateTarget", "true").With("evaluation.randomInitBaseline", "false").With("evaluation.supervisedBaseline", "false");
        var result = e.Run(dir);
        Assert.Equal(
            [("ReLICv2 pre-trained", ExperimentRunner.Probe), ("ReLICv2 pre-trained", ExperimentRunner.Knn),
             ("ReLICv2 EMA target", ExperimentRunner.Probe), ("ReLICv2 EMA target", ExperimentRunner.Knn)],
            result.Accuracies.Select(a => (a.Encoder, a.Protocol)));

        // Reference: each encoder rebuilt from its own tensors in the checkpoint file, features extracted and k-NN scored here.
        var (train, test) = e.Dataset.Load();
        using var tensors = SafeTensors.Read(Path.Combine(new RunDirectory(dir).Checkpoints, "last.safetensors"));
        (double Top1, double FeatureSum) Knn(string prefix)
        {
            using var g = new Generator(99);
            using var encoder = e.Encoder.Build(train.Channels, g);
            var own = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            encoder.LoadStateDict(own);
            using var trainFeatures = FeatureExtractor.Extract(encoder, train);
            using var testFeatures = FeatureExtractor.Extract(encoder, test);
            return (KnnClassifier.Score(trainFeatures, testFeatures, train.ClassCount, e.Evaluation.KnnK, e.Evaluation.KnnTemperature).Top1,
                testFeatures.Features.Sum().Item());
        }
        var (online, onlineSum) = Knn("online.encoder.");
        var (target, targetSum) = Knn($"{Checkpoint.EmaTargetName}.encoder.");
        Assert.NotEqual(onlineSum, targetSum); // two different encoders, so a row scored on the wrong one is caught below
        Assert.Equal(online, result.FindPretrained(ExperimentRunner.Knn)!.Top1);
        Assert.Equal(target, result.FindTarget(ExperimentRunner.Knn)!.Top1);
        // relic eval on the run directory scores the same four rows.
        Assert.Equal(result.Accuracies.Select(a => (a.Encoder, a.Protocol, a.Top1)),
            ExperimentRunner.EvaluateRun(dir).Select(a => (a.Encoder, a.Protocol, a.Top1)));
    }

    [Fact]
    public void Evaluate_target_defaults_to_false_when_absent_and_needs_an_ema_target()
    {
        var on = Tiny().With("evaluation.evaluateTarget", "true");
        Assert.True(on.Evaluation.EvaluateTarget);
        Assert.Equal(on, Experiment.FromJson(on.ToJson()));
        Assert.True(Experiment.FashionMnistReLICv2().Evaluation.EvaluateTarget);
        var old = System.Text.Json.Nodes.JsonNode.Parse(on.ToJson())!.AsObject();
        Assert.True(old["evaluation"]!.AsObject().Remove("evaluateTarget"));
        Assert.False(Experiment.FromJson(old.ToJsonString()).Evaluation.EvaluateTarget);
        var shared = Assert.Throws<ArgumentException>(() => new Experiment("x", on.Dataset, on.Encoder, on.Heads, on.Views, on.Objective,
            TargetMode.SharedStopGradient, null, on.Optimizer, 1, 16, evaluation: on.Evaluation));
        Assert.Contains("EvaluateTarget", shared.Message);
        Assert.Contains("SharedStopGradient", shared.Message);
        Assert.Contains("allowed: Ema", shared.Message);
        Assert.Contains("set evaluation.evaluateTarget=false before changing the target", shared.Message);
    }

    [Fact]
    public void Shards_round_trip_default_to_one_when_absent_and_must_leave_two_images_per_shard()
    {
        var sharded = Tiny().With("shards", "2");
        Assert.Equal(2, sharded.Shards);
        Assert.Equal(sharded, Experiment.FromJson(sharded.ToJson()));
        Assert.Contains("batch 16 in 2 shards", sharded.ToString());
        var old = System.Text.Json.Nodes.JsonNode.Parse(Tiny().ToJson())!.AsObject();
        Assert.True(old.Remove("shards"));
        Assert.Equal(1, Experiment.FromJson(old.ToJsonString()).Shards);
        var tooMany = Assert.Throws<ArgumentException>(() => Tiny().With("shards", "9"));
        Assert.Contains("a batch of 16 cannot be split into 9 shards of at least 2 images", tooMany.Message);
    }

    [Fact]
    public void A_sharded_tiny_experiment_runs_and_reproduces_itself()
    {
        var first = Tiny().With("shards", "2").Run(dir);
        var second = Tiny().With("shards", "2").Run(Path.Combine(dir, "again"));
        Assert.Equal(4, first.Pretraining.StepsDone);
        // The same-time supervised row trains for as many steps as the measured wall-clock allows: not a reproducible quantity.
        static IEnumerable<double> Reproducible(ExperimentResult r) => r.Accuracies.Where(a => a.Encoder != ExperimentRunner.SupervisedSameTime).Select(a => a.Top1);
        Assert.Equal(Reproducible(first), Reproducible(second));
        Assert.Equal(MetricsLog.Read(new RunDirectory(dir).Metrics).Select(m => m.Loss),
            MetricsLog.Read(new RunDirectory(Path.Combine(dir, "again")).Metrics).Select(m => m.Loss));
    }

    [Fact]
    public void A_time_budget_plans_the_steps_that_fit_and_the_timing_run_leaves_no_trace()
    {
        // 50 epochs of 4 steps cannot fit in 0.6 s: the measured step time (through the real pipeline) plans fewer steps.
        var budgeted = Tiny(epochs: 50).WithTimeBudget(0.01);
        var result = budgeted.Run(dir);
        var run = new RunDirectory(dir);
        var planned = StepPlan.Read(run.Plan).TotalSteps;
        Assert.InRange(planned, 1, 199);
        Assert.Equal(planned, result.Pretraining.StepsDone);
        Assert.Equal(planned, result.Pretraining.TotalSteps);
        Assert.Equal(planned, MetricsLog.Read(run.Metrics).Count);
        Assert.Equal(Enumerable.Range(1, (int)planned).Select(s => (long)s), MetricsLog.Read(run.Metrics).Select(m => m.Step));
    }

    [Fact]
    public void Step_seeds_differ_per_step_and_are_reproducible()
    {
        var seeds = Enumerable.Range(0, 1000).Select(s => PretrainingAdapters.StepSeed(7, s)).ToList();
        Assert.Equal(1000, seeds.Distinct().Count());
        Assert.Equal(seeds, Enumerable.Range(0, 1000).Select(s => PretrainingAdapters.StepSeed(7, s)));
        Assert.NotEqual(PretrainingAdapters.StepSeed(7, 0), PretrainingAdapters.StepSeed(8, 0));
    }
}
