using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Optim;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>plan.txt: the plan a resumed run continues on, bends included.</summary>
public sealed class StepPlanTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-plan-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Plans_read_back_as_written_and_a_plain_number_is_a_plan_without_bends()
    {
        var plans =
            from total in Gen.Choose(2, 100_000)
            from warmup in Gen.Choose(0, 1000)
            from n in Gen.Choose(0, 4)
            from raw in Gen.Choose(0, int.MaxValue).ArrayOf(n)
            let w = Math.Min(warmup, total - 1)
            let steps = raw.Select(r => w + r % (total - w)).Distinct().Order().ToArray()
            let lr = raw.Select(r => (r % 9973) / 9973.0 / 3).Order().ToArray()
            let ema = raw.Select(r => Math.Sqrt(r % 1009 / 1009.0) / 2).Order().ToArray()
            select steps.Length == 0
                ? new StepPlan(total)
                : new StepPlan(total, w, steps.Select((s, i) => new StepPlan.Bend(s, s == w ? 0 : lr[i], s == w ? 0 : ema[i])).ToList());
        Prop.ForAll(plans.ToArbitrary(), p => StepPlan.Parse(p.Format()) == p).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true));
        Assert.Equal(new StepPlan(1200), StepPlan.Parse("1200"));
        Assert.Equal("1200\n", new StepPlan(1200).Format());
        Assert.Equal("1200\nwarmup 110\nbend 600 0.5 0.25\n", new StepPlan(1200, 110, [new StepPlan.Bend(600, 0.5, 0.25)]).Format());
    }

    [Theory]
    [InlineData("4O", "plan holds '4O', not a number of steps in [1,")]
    [InlineData("", "plan holds '', not a number of steps in [1,")]
    [InlineData("100\nwarmup 101", "line 2 'warmup 101': the warm-up must be a whole number of steps in [0, 100]")]
    [InlineData("100\nbend 50 0.1 0.1", "line 2 'bend 50 0.1 0.1': a bend needs the warm-up line before it")]
    [InlineData("100\nwarmup 10\nbend 9 0.1 0.1", "line 3 'bend 9 0.1 0.1': the step must be in [10, 99]")]
    [InlineData("100\nwarmup 10\nbend 50 0.1 0.1\nbend 50 0.2 0.2", "line 4 'bend 50 0.2 0.2': the step must be in [51, 99]")]
    [InlineData("100\nwarmup 10\nbend 50 1 0.1", "line 3 'bend 50 1 0.1': the progress values must be numbers in [0, 1)")]
    [InlineData("100\nwarmup 10\nbend 50 0.1 NaN", "the progress values must be numbers in [0, 1)")]
    [InlineData("100\nwarmup 10\nwarmup 10", "line 3 'warmup 10': expected 'warmup STEPS' once, then 'bend STEP LR-PROGRESS EMA-PROGRESS' lines")]
    [InlineData("100\nstretch 5", "line 2 'stretch 5': expected")]
    public void A_bad_plan_is_refused_naming_the_line_and_what_is_allowed(string text, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => StepPlan.Parse(text)).Message);

    [Fact]
    public void A_run_resumed_on_a_bent_plan_continues_on_the_bent_schedules()
    {
        // 3 epochs of 4 steps, no warm-up; stopped after step 5.
        var e = new Experiment("tiny",
            new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16),
            new EncoderSpec(18, baseWidth: 4, smallImageStem: true), new HeadsSpec(16, 8, 16),
            ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
            Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
            TargetMode.Ema, new EmaSpec(0.9), new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
            3, batchSize: 16, seed: 3,
            new EvaluationSpec(probeEpochs: 1, knnK: 5, randomInitBaseline: false, supervisedBaseline: false));
        using var stop = new CancellationTokenSource();
        var stopped = e.Run(dir, callbacks: new ExperimentCallbacks(OnStep: (r, _) => { if (r.Step == 5) stop.Cancel(); }), cancellation: stop.Token);
        Assert.True(stopped.Pretraining.Cancelled);
        var run = new RunDirectory(dir);
        Assert.Equal(new StepPlan(12), StepPlan.Read(run.Plan));
        // As a budgeted run leaves it after squeezing its plan at step 3 to end at 10 (a quarter of both decays done).
        var plan = new StepPlan(10, 0, [new StepPlan.Bend(3, 0.25, 0.25)]);
        plan.Write(run.Plan);
        var resumed = e.Run(dir, resume: true);
        Assert.Equal(10, resumed.Pretraining.StepsDone);
        var lr = new WarmupCosineSchedule(10, 0, bends: plan.LearningRateBends);
        var ema = new CosineEmaSchedule(0.9, 10, plan.EmaBends);
        var records = MetricsLog.Read(run.Metrics);
        Assert.Equal(Enumerable.Range(1, 10).Select(s => (long)s), records.Select(r => r.Step));
        var peak = records[0].LearningRate;
        Assert.Equal(0.5 * 16 / 256, peak, 12);  // LARS's rate scaled to the batch
        // Record s was made by step s, which used the multiplier and γ of index s − 1.
        foreach (var r in records.Skip(5))
        {
            Assert.Equal(peak * lr.Multiplier(r.Step - 1), r.LearningRate, 12);
            Assert.Equal(ema.Gamma(r.Step - 1), r.EmaDecay!.Value, 12);
        }
        Assert.Equal(plan, StepPlan.Read(run.Plan));
    }
}
