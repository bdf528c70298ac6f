using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments;
using ReLICv2.Experiments.Reports;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The paper ablations (scripts/paper_ablations.fsx): each configuration changes exactly what its question names in the
/// preset, keys shared between questions mean one experiment, the seed statistics and the verdicts on the paper's claims.
/// </summary>
public sealed class PaperAblationsTests
{
    private static readonly Experiment Baseline = PaperAblations.Baseline(2.5);

    private static AblationConfig Config(string question, string label) =>
        PaperAblations.Questions.Single(q => q.Id == question).Configs.Single(c => c.Label == label);

    [Fact]
    public void The_baseline_is_the_main_jobs_preset_at_the_budget_scoring_the_online_encoder_only()
    {
        var preset = Experiment.FashionMnistReLICv2(2.5);
        Assert.Equal(preset.Views, Baseline.Views);
        Assert.Equal(preset.Objective, Baseline.Objective);
        Assert.Equal(preset.Ema, Baseline.Ema);
        Assert.Equal(preset.Optimizer, Baseline.Optimizer);
        Assert.Equal(2.5, Baseline.TimeBudgetMinutes);
        Assert.False(Baseline.Evaluation.EvaluateTarget);
        Assert.False(Baseline.Evaluation.RandomInitBaseline);
        Assert.False(Baseline.Evaluation.SupervisedBaseline);
        Assert.Equal(preset.Evaluation.ProbeEpochs, Baseline.Evaluation.ProbeEpochs);
    }

    [Fact]
    public void Each_configuration_changes_only_what_its_question_names()
    {
        Experiment Of(string q, string label) => PaperAblations.ExperimentOf(Baseline, Config(q, label), 7);
        var same = PaperAblations.ExperimentOf(Baseline, Config("alpha", "α = 1"), 7);
        Assert.Equal(7UL, same.Seed);
        Assert.Equal(Baseline.Objective, same.Objective);
        Assert.Equal(Baseline.Views, same.Views);

        Assert.Equal(ViewSet.ReLICv2FashionMnist(2, 0), Of("views", "[2, 0]").Views);
        Assert.Equal(Baseline.Objective, Of("views", "[2, 0]").Objective);
        var epoch = Of("views-epochs", "[4, 2]");
        Assert.Equal((1, (double?)null, 0.1), (epoch.Epochs, epoch.TimeBudgetMinutes, epoch.Optimizer.WarmupEpochs));
        Assert.Equal(Baseline.Views, epoch.Views);
        Assert.Equal(ViewSet.ReLICv2FashionMnist(4, 2, maskProbability: 0.1), Of("masking", "p = 0.1").Views);
        Assert.Equal(Presets.ReLICv2(alpha: 0, temperature: 0.2, negatives: Negatives.All), Of("alpha", "α = 0").Objective);
        Assert.Equal(Presets.ReLICv2(temperature: 0.2, negatives: Negatives.Sample(10)), Of("negatives", "10").Objective);
        Assert.Equal(Presets.ReLICv2(temperature: 0.2, negatives: Negatives.All, kl: KlHandling.NoStopGradient), Of("kl", "no stop-gradient").Objective);
        var ema = Of("ema", "constant 0.99");
        Assert.Equal(new EmaSpec(0.99, cosine: false), ema.Ema);
        Assert.Equal(Baseline.Objective, ema.Objective);
        Assert.Equal(Baseline.Views, ema.Views);
    }

    [Fact]
    public void A_run_key_names_one_experiment_across_questions_and_the_baseline_is_shared()
    {
        var byKey = PaperAblations.Questions.SelectMany(q => q.Configs).GroupBy(c => c.Key);
        foreach (var group in byKey)
            Assert.Single(group.Select(c => PaperAblations.ExperimentOf(Baseline, c, 1)).Distinct());
        var baselineUses = PaperAblations.Questions.Count(q => q.Configs.Any(c => c.Key == PaperAblations.BaselineKey));
        Assert.Equal(6, baselineUses);
        // Distinct keys: 4 views at the wall-clock budget + 1 baseline (the preset for one epoch) + 3 other views at one epoch
        // + 2 masking + 3 α + 2 negatives + 3 KL + 3 EMA.
        Assert.Equal(21, byKey.Count());
        // Only the views at the same wall-clock run under the budget; every other run is one epoch, whatever the machine's speed.
        foreach (var q in PaperAblations.Questions)
            foreach (var c in q.Configs)
            {
                var e = PaperAblations.ExperimentOf(Baseline, c, 1);
                if (q.Id == "views") Assert.Equal((2.5, 20), (e.TimeBudgetMinutes, e.Epochs));
                else Assert.Equal(((double?)null, 1, 0.1), (e.TimeBudgetMinutes, e.Epochs, e.Optimizer.WarmupEpochs));
            }
        Assert.Equal(PaperAblations.WallClockBaselineKey, Config("views", "[4, 2]").Key);
        Assert.Equal(PaperAblations.OneEpoch(Baseline).With(name: "ablation-baseline", seed: 1), PaperAblations.ExperimentOf(Baseline, Config("alpha", "α = 1"), 1));
        foreach (var q in PaperAblations.Questions)
            foreach (var claim in q.Claims)
            {
                Assert.Contains(q.Configs, c => c.Label == claim.First);
                Assert.Contains(q.Configs, c => c.Label == claim.Second);
            }
        Assert.Contains("'bogus'", Assert.Throws<ArgumentException>(() => PaperAblations.Select(["views", "bogus"])).Message);
        Assert.Equal(["masking", "ema"], PaperAblations.Select(["ema", "masking"]).Select(q => q.Id));
    }

    [Fact]
    public void Seed_statistics_are_the_mean_and_the_sample_standard_deviation()
    {
        var s = SeedStatistics.Of([0.80, 0.82, 0.84]);
        Assert.Equal(3, s.Count);
        Assert.Equal(0.82, s.Mean, 12);
        Assert.Equal(0.02, s.StandardDeviation, 12);
        Assert.Equal(0.02 / Math.Sqrt(3), s.StandardError, 12);
        Assert.Equal("82.00 ± 2.00", s.Percent());
        Assert.Equal(0, SeedStatistics.Of([0.5]).StandardDeviation);
        Assert.Equal("50.00 (one seed)", SeedStatistics.Of([0.5]).Percent());
        Assert.Throws<ArgumentException>(() => SeedStatistics.Of([]));
    }

    [Fact]
    public void Verdicts_compare_the_difference_of_means_with_two_standard_errors()
    {
        // Standard error 0.005 / √3 each: the margin is 2 · √2 · 0.002887 = 0.008165.
        var b = new SeedStatistics(3, 0.83, 0.005);
        Assert.Equal(ClaimVerdict.Holds, PaperAblations.Verdict(new SeedStatistics(3, 0.839, 0.005), b, ClaimKind.Better));
        Assert.Equal(ClaimVerdict.WithinNoise, PaperAblations.Verdict(new SeedStatistics(3, 0.838, 0.005), b, ClaimKind.Better));
        Assert.Equal(ClaimVerdict.Reversed, PaperAblations.Verdict(new SeedStatistics(3, 0.821, 0.005), b, ClaimKind.Better));
        Assert.Equal(ClaimVerdict.Holds, PaperAblations.Verdict(new SeedStatistics(3, 0.838, 0.005), b, ClaimKind.Equivalent));
        Assert.Equal(ClaimVerdict.Reversed, PaperAblations.Verdict(new SeedStatistics(3, 0.821, 0.005), b, ClaimKind.Equivalent));
        // One seed has no standard deviation: however far apart the means, there is no verdict.
        Assert.Equal(ClaimVerdict.Undecided, PaperAblations.Verdict(new SeedStatistics(1, 0.95, 0), b, ClaimKind.Better));
        Assert.Equal(ClaimVerdict.Undecided, PaperAblations.Verdict(b, new SeedStatistics(1, 0.5, 0), ClaimKind.Equivalent));
        Assert.Equal("one seed, no verdict", PaperAblations.Describe(ClaimVerdict.Undecided));
    }

    [Fact]
    public void A_claim_that_holds_is_reversed_with_its_sides_swapped_and_equivalence_is_symmetric()
    {
        var stats =
            from n in Gen.Choose(2, 6)
            from mean in Gen.Choose(0, 1000).Select(m => m / 1000.0)
            from sd in Gen.Choose(0, 50).Select(v => v / 1000.0)
            select new SeedStatistics(n, mean, sd);
        Prop.ForAll((from a in stats from b in stats select (a, b)).ToArbitrary(), pair =>
        {
            var (a, b) = pair;
            var ab = PaperAblations.Verdict(a, b, ClaimKind.Better);
            var ba = PaperAblations.Verdict(b, a, ClaimKind.Better);
            var mirrored = ab switch { ClaimVerdict.Holds => ClaimVerdict.Reversed, ClaimVerdict.Reversed => ClaimVerdict.Holds, _ => ClaimVerdict.WithinNoise };
            var equivalent = PaperAblations.Verdict(a, b, ClaimKind.Equivalent) == PaperAblations.Verdict(b, a, ClaimKind.Equivalent);
            // Equivalence holds exactly when neither side is better beyond the noise.
            var consistent = (PaperAblations.Verdict(a, b, ClaimKind.Equivalent) == ClaimVerdict.Holds) == (ab == ClaimVerdict.WithinNoise);
            return ba == mirrored && equivalent && consistent;
        }).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
    }

    [Fact]
    public void The_markdown_and_the_page_show_every_configuration_with_its_seeds_and_each_claims_verdict()
    {
        var q = PaperAblations.Questions.Single(x => x.Id == "masking");
        var rows = new List<AblationRow>
        {
            new("masking", "p = 0", PaperAblations.BaselineKey, [1, 2, 3], new SeedStatistics(3, 0.84, 0.003), new SeedStatistics(3, 0.82, 0.004),
                new SeedStatistics(3, 140, 2), new SeedStatistics(3, 0.60, 0.01)),
            new("masking", "p = 0.1", "mask-0.1", [1, 2, 3], new SeedStatistics(3, 0.845, 0.003), new SeedStatistics(3, 0.821, 0.004),
                new SeedStatistics(3, 139, 1), new SeedStatistics(3, 0.70, 0.01)),
            new("masking", "p = 0.3", "mask-0.3", [1, 2, 3], new SeedStatistics(3, 0.83, 0.003), null,
                new SeedStatistics(3, 138, 1), new SeedStatistics(3, 0.72, 0.01)),
        };
        var markdown = PaperAblations.Markdown(q, rows);
        Assert.Contains("| p = 0.1 | 1, 2, 3 | 139 | 84.50 ± 0.30 | 82.10 ± 0.40 | 70.00 ± 1.00 |", markdown);
        Assert.Contains("| p = 0.3 | 1, 2, 3 | 138 | 83.00 ± 0.30 | – | 72.00 ± 1.00 |", markdown);
        // +0.5 points against a margin of 2·√(2·0.003²/3) = 0.49 points: holds; under the shift +10 points: holds.
        Assert.Contains("- p = 0.1 > p = 0 (probe): **holds** — difference +0.50 points, noise margin ±0.49; under the background shift: **holds** (+10.00 points)", markdown);
        // The summary: k-NN +0.1 points against 2·√(2·0.004²/3) = 0.65; the shift +10 against 2·√(2·0.01²/3) = 1.63.
        var summary = PaperAblations.Summary([(q, rows)]);
        Assert.Contains("| Saliency masking probability p | p = 0.1 > p = 0 | **holds** (+0.50 ± 0.49) | **within noise** (+0.10 ± 0.65) | **holds** (+10.00 ± 1.63) |", summary);
        Assert.Equal(2 + q.Claims.Count, summary.Trim().Split('\n').Length);

        var path = Path.Combine(Path.GetTempPath(), "relic-ablations-" + Guid.NewGuid().ToString("N") + ".html");
        try
        {
            AblationReport.Write([(q, rows)], "ablations", path);
            var html = File.ReadAllText(path);
            // One mean dot per configuration and series that has a value: 3 probe + 2 k-NN + 3 background shift.
            Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(html, "<circle class=\"mean\"").Count);
            Assert.Contains("data-config=\"p = 0.3\"", html);
            System.Xml.Linq.XElement.Parse(AblationReport.Chart("t", rows, [("linear probe", r => r.Probe)]));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
