using ReLICv2.Experiments;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Every method preset runs end to end: a few steps of the Fashion-MNIST preset, shrunk to synthetic images and a tiny
/// encoder (the method's objective, views, pairing, target mode and optimiser kept), lower its loss, use the method's
/// target mode, and name the method in the results.
/// </summary>
public sealed class MethodPresetsTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-methods-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Each method, its name in results, and its target network as the method's paper defines it.</summary>
    public static TheoryData<string, string, TargetMode> Methods() => new()
    {
        { "relic", "ReLIC", TargetMode.Ema },
        { "relicv2", "ReLICv2", TargetMode.Ema },
        { "simclr", "SimCLR", TargetMode.Shared },
        { "byol", "BYOL", TargetMode.Ema },
        { "barlow-twins", "Barlow Twins", TargetMode.Shared },
        { "vicreg", "VICReg", TargetMode.Shared },
        { "ressl", "ReSSL", TargetMode.Ema },
        { "twist", "TWIST", TargetMode.Shared },
    };

    [Fact]
    public void The_table_of_this_test_covers_every_method()
    {
        Assert.Equal(MethodPresets.Methods.Order(), Methods().Select(row => (string)row[0]).Order());
    }

    /// <summary>
    /// The preset on 256 synthetic 28-px images: ResNet-18 of base width 4, heads 32 → 16 (a predictor where the method has
    /// one), batch 32, 4 epochs of 8 steps with the preset's own learning rate and warm-up (capped at a tenth of the run), no
    /// time budget, a short probe, no baselines.
    /// </summary>
    private static Experiment Tiny(string method)
    {
        var preset = MethodPresets.FashionMnist(method);
        return preset.With(
                dataset: new DatasetSpec(DatasetKind.Synthetic, trainLimit: 256, testLimit: 64, imageSize: 28),
                encoder: new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
                heads: new HeadsSpec(32, 16, preset.Heads.PredictorHidden > 0 ? 32 : 0),
                epochs: 4, batchSize: 32, seed: 5,
                evaluation: new EvaluationSpec(probeEpochs: 2, knnK: 5, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0,
                    evaluateTarget: preset.Evaluation.EvaluateTarget))
            .WithTimeBudget(null);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_method_preset_trains_lowering_its_loss_with_its_target_and_names_itself_in_the_results(string method, string name, TargetMode target)
    {
        var preset = MethodPresets.FashionMnist(method);
        Assert.Equal(method, preset.Method);
        Assert.Equal(name, preset.MethodName);
        Assert.Equal(target, preset.Target);
        Assert.Equal(target == TargetMode.Ema, preset.Ema is not null);
        Assert.Equal(target == TargetMode.Ema, preset.Evaluation.EvaluateTarget);

        var result = Tiny(method).Run(dir);
        Assert.Equal(32, result.Pretraining.StepsDone);
        var losses = MetricsLog.Read(new RunDirectory(dir).Metrics).Select(m => m.Loss).ToList();
        Assert.Equal(32, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        // The mean of the last 8 steps (the last epoch) is below the mean of the first 8: robust to the step-to-step noise of
        // random views, and every objective here decreases from its value at initialisation (TWIST's may go below 0).
        var first = losses.Take(8).Average();
        var last = losses.TakeLast(8).Average();
        Assert.True(last < first, $"{name}: mean loss of the last 8 steps {last:F4} is not below that of the first 8 {first:F4} ({string.Join(", ", losses.Select(l => l.ToString("F3")))})");

        string[] encoders = target == TargetMode.Ema ? [$"{name} pre-trained", $"{name} EMA target"] : [$"{name} pre-trained"];
        var expected = encoders.SelectMany(e => new[] { (e, ExperimentRunner.Probe), (e, ExperimentRunner.Knn) }).ToList();
        Assert.Equal(expected, result.Accuracies.Select(a => (a.Encoder, a.Protocol)));
        Assert.Equal(expected, ResultsFile.Read(new RunDirectory(dir)).Select(a => (a.Encoder, a.Protocol)));
        Assert.Equal(method, Experiment.Load(new RunDirectory(dir).Experiment).Method);
    }

    [Fact]
    public void The_method_round_trips_defaults_for_old_files_and_is_validated()
    {
        var byol = MethodPresets.FashionMnist("byol");
        Assert.Contains("\"method\": \"byol\"", byol.ToJson());
        Assert.Equal(byol, Experiment.FromJson(byol.ToJson()));

        // A file written before experiments named their method: the preset prefix of its name, else ReLICv2.
        string WithoutMethod(Experiment e, string name)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(e.ToJson())!.AsObject();
            Assert.True(node.Remove("method"));
            node["name"] = name;
            return node.ToJsonString();
        }
        Assert.Equal("byol", Experiment.FromJson(WithoutMethod(byol, "byol-fashion-mnist")).Method);
        Assert.Equal("barlow-twins", Experiment.FromJson(WithoutMethod(byol, "barlow-twins-cifar10")).Method);
        Assert.Equal("relicv2", Experiment.FromJson(WithoutMethod(byol, "relicv2-fashion-mnist-4x0")).Method);
        Assert.Equal("relic", Experiment.FromJson(WithoutMethod(byol, "relic-fashion-mnist")).Method);
        Assert.Equal("relicv2", Experiment.FromJson(WithoutMethod(byol, "tiny")).Method);
        Assert.Equal("relicv2", Experiment.FromJson(WithoutMethod(byol, "byolish")).Method);
        Assert.Equal("relicv2", Experiment.FashionMnistReLICv2().Method);

        var mine = byol.With("method", "my-method");
        Assert.Equal("my-method", mine.MethodName);
        Assert.Equal("my-method pre-trained", ExperimentRunner.Pretrained(mine));
        Assert.Equal("BYOL EMA target", ExperimentRunner.PretrainedTarget(byol));
        Assert.StartsWith("byol-fashion-mnist: BYOL · ", byol.ToString(), StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => byol.With("method", "\"BYOL!\""));
        Assert.Contains("Experiment.Method 'BYOL!' is not a method identifier", bad.Message);
        Assert.Contains("relicv2, simclr", bad.Message);
    }

    [Fact]
    public void A_run_directory_written_before_methods_were_named_resumes_and_evaluates_under_its_method()
    {
        var byol = Tiny("byol").With(epochs: 1);
        var first = byol.Run(dir);
        var run = new RunDirectory(dir);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(run.Experiment))!.AsObject();
        Assert.True(node.Remove("method"));
        File.WriteAllText(run.Experiment, node.ToJsonString());

        var resumed = byol.Run(dir, resume: true);
        Assert.Equal(first.Pretraining.StepsDone, resumed.Pretraining.StepsDone);
        Assert.Equal(first.Accuracies, resumed.Accuracies);
        Assert.Equal(["BYOL pre-trained", "BYOL pre-trained", "BYOL EMA target", "BYOL EMA target"],
            ExperimentRunner.EvaluateRun(dir).Select(a => a.Encoder));
    }

    [Fact]
    public void An_unknown_method_is_refused_naming_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodPresets.FashionMnist("dino"));
        Assert.Contains("'dino' is not a method; allowed: relic, relicv2, simclr, byol, barlow-twins, vicreg, ressl, twist", e.Message);
    }
}
