using System.Globalization;
using System.Text;
using ReLICv2.Vision;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>How a claim of the paper compares two configurations.</summary>
public enum ClaimKind
{
    /// <summary>The first configuration scores higher than the second.</summary>
    Better,

    /// <summary>The two score the same (e.g. "about 10 negatives are enough").</summary>
    Equivalent,
}

/// <summary>
/// What the runs say about a claim: it holds, the opposite holds, the difference is within the noise of the seeds, or —
/// while a side has a single seed, hence no standard deviation — nothing yet.
/// </summary>
public enum ClaimVerdict
{
    Holds,
    Reversed,
    WithinNoise,
    Undecided,
}

/// <summary>
/// One configuration of an ablation question: a label for the tables, the key of its runs (configurations of different
/// questions with the same key share their runs, e.g. the preset itself, <see cref="PaperAblations.BaselineKey"/>), and
/// what it changes in the baseline experiment.
/// </summary>
public sealed record AblationConfig(string Label, string Key, Func<Experiment, Experiment> Apply);

/// <summary>A claim of the paper about two configurations of a question (by label).</summary>
public sealed record AblationClaim(string First, string Second, ClaimKind Kind)
{
    public override string ToString() => Kind == ClaimKind.Better ? $"{First} > {Second}" : $"{First} ≈ {Second}";
}

/// <summary>
/// One question of the paper: its configurations, what the paper found, the claims to check, and whether the background-shift
/// robustness set is scored as well (saliency masking).
/// </summary>
public sealed record AblationQuestion(string Id, string Title, string PaperFinding, IReadOnlyList<AblationConfig> Configs, IReadOnlyList<AblationClaim> Claims,
    bool Robustness = false);

/// <summary>Mean and sample standard deviation (n − 1; 0 for one value) of a configuration's values over seeds.</summary>
public sealed record SeedStatistics(int Count, double Mean, double StandardDeviation)
{
    /// <summary>The statistics of <paramref name="values"/> (non-empty).</summary>
    public static SeedStatistics Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("SeedStatistics.Of: no values", nameof(values));
        var mean = values.Average();
        var sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new SeedStatistics(values.Count, mean, sd);
    }

    /// <summary>The standard error of the mean.</summary>
    public double StandardError => Count > 0 ? StandardDeviation / Math.Sqrt(Count) : double.NaN;

    /// <summary>"84.12 ± 0.31" in percent; "84.12 (one seed)" when there is no standard deviation.</summary>
    public string Percent() => Count < 2
        ? string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F2} (one seed)")
        : string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F2} ± {100 * StandardDeviation:F2}");
}

/// <summary>One configuration's figures over its seeds.</summary>
public sealed record AblationRow(string Question, string Label, string Key, IReadOnlyList<ulong> Seeds, SeedStatistics Probe, SeedStatistics? Knn,
    SeedStatistics Steps, SeedStatistics? BackgroundShift);

/// <summary>
/// The paper's ablations (views, saliency masking, the invariance term's weight, negatives, KL handling, EMA) at small scale
/// on Fashion-MNIST, each configuration with several seeds (docs/ablations.md). This type holds the questions and their
/// configurations (<see cref="Questions"/>), the seed statistics and the verdict on each of the paper's claims
/// (<see cref="Verdict"/>), and the markdown of the tables (<see cref="Markdown"/>); scripts/paper_ablations.fsx runs them.
/// </summary>
public static class PaperAblations
{
    /// <summary>The key of the unchanged preset's one-epoch runs, shared by every question but the wall-clock one.</summary>
    public const string BaselineKey = "baseline";

    /// <summary>The key of the unchanged preset's runs under the wall-clock budget (the views question at the same wall-clock).</summary>
    public const string WallClockBaselineKey = "views-4x2";

    /// <summary>The identifiers of the questions, in order.</summary>
    public static IReadOnlyList<string> QuestionIds { get; } = ["views", "views-epochs", "masking", "alpha", "negatives", "kl", "ema"];

    /// <summary>The verdict's threshold: a difference of means beyond this many standard errors (of the difference) is not noise.</summary>
    public const double NoiseStandardErrors = 2;

    /// <summary>
    /// What every configuration starts from: ReLICv2's Fashion-MNIST preset (the main job's, [4, 2] views, τ 0.2, α 1, every
    /// other batch element a negative, forward KL, EMA γ from 0.9 to 1 on a cosine, no masking) with <paramref name="minutes"/>
    /// of pre-training, scored by the linear probe and k-NN of the online encoder (the paper's protocol) without baselines.
    /// The views question at the same wall-clock runs it under that budget; every other question runs one epoch
    /// (<see cref="OneEpoch"/>), a fixed number of steps that a busy machine slows down but does not change.
    /// </summary>
    public static Experiment Baseline(double minutes)
    {
        var e = MethodComparison.FashionMnist("relicv2", minutes);
        var v = e.Evaluation;
        return e.With(name: "ablation-baseline", evaluation: new EvaluationSpec(v.ProbeEpochs, v.ProbeLearningRate, v.KnnK, v.KnnTemperature,
            randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: v.ProbeAugmentedCopies, probeCropMinArea: v.ProbeCropMinArea,
            evaluateTarget: false));
    }

    /// <summary>
    /// The experiment of <paramref name="config"/> for <paramref name="seed"/>: the configuration applied to
    /// <paramref name="baseline"/>, named after its key, with the seed.
    /// </summary>
    public static Experiment ExperimentOf(Experiment baseline, AblationConfig config, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(config);
        return config.Apply(baseline).With(name: $"ablation-{config.Key}", seed: seed);
    }

    /// <summary>
    /// <paramref name="e"/> for exactly one epoch (234 steps of 256 images) without a time budget, the warm-up a tenth of
    /// it as in the preset: the fixed budget of every question but the views at the same wall-clock. Its runs do not depend
    /// on the machine's speed, so they need no idle machine.
    /// </summary>
    public static Experiment OneEpoch(Experiment e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.With(epochs: 1).WithTimeBudget(null).With("optimizer.warmupEpochs", "0.1");
    }

    /// <summary>A configuration of a fixed-budget question: <paramref name="change"/> applied to the one-epoch baseline.</summary>
    private static AblationConfig Epoch(string label, string key, Func<Experiment, Experiment> change) => new(label, key, e => change(OneEpoch(e)));

    private static PairedObjective ReLICv2(double alpha = 1, Negatives? negatives = null, KlHandling kl = KlHandling.Forward) =>
        Presets.ReLICv2(alpha: alpha, temperature: 0.2, negatives: negatives ?? Negatives.All, kl: kl);

    private static AblationConfig Views(int large, int small, bool sameEpochs)
    {
        var label = $"[{large}, {small}]";
        var preset = large == 4 && small == 2;
        if (!sameEpochs)
            return new AblationConfig(label, $"views-{large}x{small}", e => preset ? e : e.With(views: ViewSet.ReLICv2FashionMnist(large, small)));
        return Epoch(label, preset ? BaselineKey : $"views-{large}x{small}-epoch", e => preset ? e : e.With(views: ViewSet.ReLICv2FashionMnist(large, small)));
    }

    /// <summary>The questions of the paper this project answers at small scale (docs/ablations.md).</summary>
    public static IReadOnlyList<AblationQuestion> Questions { get; } =
    [
        new("views", "Views, same wall-clock (the budget given)",
            "more large views help and small views add on top: ImageNet top-1 [2,0] 74.8 · [4,0] 75.5 · [2,2] 76.2 · [4,2] 76.8 (same epochs)",
            [Views(2, 0, false), Views(4, 0, false), Views(2, 2, false), Views(4, 2, false)],
            [new("[4, 0]", "[2, 0]", ClaimKind.Better), new("[2, 2]", "[2, 0]", ClaimKind.Better), new("[4, 2]", "[4, 0]", ClaimKind.Better)]),
        new("views-epochs", "Views, same epochs (one epoch each)",
            "as above; the paper's figures are at the same number of epochs, where more views cost more compute",
            [Views(2, 0, true), Views(4, 0, true), Views(2, 2, true), Views(4, 2, true)],
            [new("[4, 0]", "[2, 0]", ClaimKind.Better), new("[2, 2]", "[2, 0]", ClaimKind.Better), new("[4, 2]", "[4, 0]", ClaimKind.Better)]),
        new("masking", "Saliency masking probability p",
            "masking the background of the large views with p = 0.1 helps, above all under background changes (ImageNet-R, -Sketch, ObjectNet)",
            [Epoch("p = 0", BaselineKey, e => e),
             Epoch("p = 0.1", "mask-0.1", e => e.With(views: ViewSet.ReLICv2FashionMnist(4, 2, maskProbability: 0.1))),
             Epoch("p = 0.3", "mask-0.3", e => e.With(views: ViewSet.ReLICv2FashionMnist(4, 2, maskProbability: 0.3)))],
            [new("p = 0.1", "p = 0", ClaimKind.Better)], Robustness: true),
        new("alpha", "Invariance term's weight α",
            "the KL invariance term matters: α = 0 (contrastive only) is worse than α = 1",
            [Epoch("α = 0", "alpha-0", e => e.With(objective: ReLICv2(alpha: 0))),
             Epoch("α = 0.5", "alpha-0.5", e => e.With(objective: ReLICv2(alpha: 0.5))),
             Epoch("α = 1", BaselineKey, e => e),
             Epoch("α = 2", "alpha-2", e => e.With(objective: ReLICv2(alpha: 2)))],
            [new("α = 1", "α = 0", ClaimKind.Better)]),
        new("negatives", "Negatives per positive",
            "about 10 negatives are enough (at ImageNet scale); one is too few",
            [Epoch("1", "negatives-1", e => e.With(objective: ReLICv2(negatives: Negatives.Sample(1)))),
             Epoch("10", "negatives-10", e => e.With(objective: ReLICv2(negatives: Negatives.Sample(10)))),
             Epoch("all", BaselineKey, e => e)],
            [new("10", "all", ClaimKind.Equivalent), new("10", "1", ClaimKind.Better)]),
        new("kl", "KL handling",
            "the paper's form — KL(P^{a→t} ‖ sg[P^{t→a}]), the target side under stop-gradient — is the one that trains best",
            [Epoch("forward", BaselineKey, e => e),
             Epoch("reverse", "kl-reverse", e => e.With(objective: ReLICv2(kl: KlHandling.Reverse))),
             Epoch("symmetric", "kl-symmetric", e => e.With(objective: ReLICv2(kl: KlHandling.Symmetric))),
             Epoch("no stop-gradient", "kl-no-stop-gradient", e => e.With(objective: ReLICv2(kl: KlHandling.NoStopGradient)))],
            [new("forward", "no stop-gradient", ClaimKind.Better)]),
        new("ema", "EMA target's γ",
            "a slowly moving target (γ rising to 1 on a cosine) is better than a constant one",
            [Epoch("cosine 0.9 → 1", BaselineKey, e => e),
             Epoch("constant 0.9", "ema-0.9", e => e.WithTarget(TargetMode.Ema, new EmaSpec(0.9, cosine: false))),
             Epoch("constant 0.99", "ema-0.99", e => e.WithTarget(TargetMode.Ema, new EmaSpec(0.99, cosine: false))),
             Epoch("constant 0.996", "ema-0.996", e => e.WithTarget(TargetMode.Ema, new EmaSpec(0.996, cosine: false)))],
            [new("cosine 0.9 → 1", "constant 0.99", ClaimKind.Better)]),
    ];

    /// <summary>The questions named in <paramref name="ids"/> (all when null), in the order of <see cref="Questions"/>.</summary>
    /// <exception cref="ArgumentException">An unknown identifier; the message lists the known ones.</exception>
    public static IReadOnlyList<AblationQuestion> Select(IEnumerable<string>? ids)
    {
        if (ids is null) return Questions;
        var wanted = ids.ToList();
        foreach (var id in wanted)
            if (!QuestionIds.Contains(id))
                throw new ArgumentException($"ablation question '{id}' is unknown; the questions are {string.Join(", ", QuestionIds)}", nameof(ids));
        return Questions.Where(q => wanted.Contains(q.Id)).ToList();
    }

    /// <summary>
    /// The verdict on a claim from the two configurations' statistics: for "first better", it holds when the first mean exceeds the
    /// second by more than <see cref="NoiseStandardErrors"/> standard errors of the difference, is reversed when it falls short by as
    /// much, and is within noise otherwise; for "equivalent", it holds within that margin and is reversed beyond it. With one
    /// seed on either side there is no noise estimate, and the verdict is <see cref="ClaimVerdict.Undecided"/>.
    /// </summary>
    public static ClaimVerdict Verdict(SeedStatistics first, SeedStatistics second, ClaimKind kind)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count < 2 || second.Count < 2) return ClaimVerdict.Undecided;
        var difference = first.Mean - second.Mean;
        var margin = Margin(first, second);
        if (kind == ClaimKind.Equivalent) return Math.Abs(difference) <= margin ? ClaimVerdict.Holds : ClaimVerdict.Reversed;
        return difference > margin ? ClaimVerdict.Holds : difference < -margin ? ClaimVerdict.Reversed : ClaimVerdict.WithinNoise;
    }

    /// <summary>
    /// The row of <paramref name="config"/> from its runs: probe and k-NN top-1 of the online encoder, steps, and the mean top-1
    /// over the background shift's five severities when <paramref name="robustness"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A run has no probe result (or no background-shift rows when asked).</exception>
    public static AblationRow Row(AblationQuestion question, AblationConfig config, IReadOnlyList<(ulong Seed, string RunDirectory)> runs, bool robustness)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException($"{question.Id} {config.Label}: no runs", nameof(runs));
        var probe = new List<double>();
        var knn = new List<double>();
        var steps = new List<double>();
        var shift = new List<double>();
        foreach (var (_, dir) in runs)
        {
            var line = MethodComparison.Row(dir);
            probe.Add(line.ProbeTop1 ?? throw new InvalidDataException($"run '{dir}' has no linear-probe result"));
            if (line.KnnTop1 is { } k) knn.Add(k);
            steps.Add(line.Steps);
            if (!robustness) continue;
            var rows = BackgroundShiftRows(dir);
            if (rows.Count == 0) throw new InvalidDataException($"run '{dir}' has no background-shift rows");
            shift.Add(rows.Average(r => r.Top1));
        }
        return new AblationRow(question.Id, config.Label, config.Key, runs.Select(r => r.Seed).ToList(), SeedStatistics.Of(probe),
            knn.Count == runs.Count ? SeedStatistics.Of(knn) : null, SeedStatistics.Of(steps), robustness ? SeedStatistics.Of(shift) : null);
    }

    /// <summary>The run's background-shift robustness rows at severities 1–5 (empty until <c>relic eval robustness</c> has scored them).</summary>
    public static IReadOnlyList<AccuracyResult> BackgroundShiftRows(string runDirectory) =>
        ResultsFile.Read(new RunDirectory(runDirectory))
            .Where(r => r.Protocol == RobustnessEvaluation.Protocol && r.Corruption == BackgroundShiftName && r.Severity is >= 1).ToList();

    /// <summary>The corruption name of the background shift in results.json.</summary>
    public static string BackgroundShiftName => Corruptions.Name(Corruption.BackgroundShift);

    /// <summary>
    /// One question's section of docs/ablations.md: a table of the configurations (seeds, steps, probe and k-NN top-1 as
    /// mean ± standard deviation, the background shift's where scored) and the verdict on each claim on the probe's top-1.
    /// </summary>
    public static string Markdown(AblationQuestion question, IReadOnlyList<AblationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"### {question.Title}\n\nPaper: {question.PaperFinding}.\n\n");
        var shift = question.Robustness;
        sb.Append("| configuration | seeds | steps | linear probe top-1 (%) | k-NN top-1 (%) |" + (shift ? " background shift, mean of severities 1–5 (%) |" : "") + "\n");
        sb.Append("|---|---|---:|---:|---:|" + (shift ? "---:|" : "") + "\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Label} | {string.Join(", ", r.Seeds)} | {r.Steps.Mean:F0} | {r.Probe.Percent()} | {r.Knn?.Percent() ?? "–"} |");
            sb.Append(shift ? $" {r.BackgroundShift?.Percent() ?? "–"} |\n" : "\n");
        }
        sb.Append('\n');
        foreach (var claim in question.Claims)
        {
            var first = rows.FirstOrDefault(r => r.Label == claim.First);
            var second = rows.FirstOrDefault(r => r.Label == claim.Second);
            if (first is null || second is null) continue;
            sb.Append(CultureInfo.InvariantCulture,
                $"- {claim} (probe): **{Describe(Verdict(first.Probe, second.Probe, claim.Kind))}** — difference {Points(first.Probe.Mean - second.Probe.Mean)} points, " +
                $"noise margin ±{100 * Margin(first.Probe, second.Probe):F2}");
            if (shift && first.BackgroundShift is { } a && second.BackgroundShift is { } b)
                sb.Append(CultureInfo.InvariantCulture, $"; under the background shift: **{Describe(Verdict(a, b, claim.Kind))}** ({Points(a.Mean - b.Mean)} points)");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// The summary table at the top of docs/ablations.md: one line per claim of every question with its verdict on the linear
    /// probe and on k-NN (and under the background shift where scored), each with the difference of the means and the noise margin.
    /// </summary>
    public static string Summary(IReadOnlyList<(AblationQuestion Question, IReadOnlyList<AblationRow> Rows)> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var sb = new StringBuilder("| question | paper's claim | linear probe | k-NN | background shift |\n|---|---|---|---|---|\n");
        foreach (var (question, rows) in sections)
            foreach (var claim in question.Claims)
            {
                var first = rows.FirstOrDefault(r => r.Label == claim.First);
                var second = rows.FirstOrDefault(r => r.Label == claim.Second);
                if (first is null || second is null) continue;
                sb.Append(CultureInfo.InvariantCulture, $"| {question.Title} | {claim} | {Cell(first.Probe, second.Probe, claim.Kind)} | ");
                sb.Append(first.Knn is { } k1 && second.Knn is { } k2 ? Cell(k1, k2, claim.Kind) : "–").Append(" | ");
                sb.Append(first.BackgroundShift is { } b1 && second.BackgroundShift is { } b2 ? Cell(b1, b2, claim.Kind) : "–").Append(" |\n");
            }
        return sb.ToString();
    }

    private static string Cell(SeedStatistics first, SeedStatistics second, ClaimKind kind) =>
        string.Create(CultureInfo.InvariantCulture, $"**{Describe(Verdict(first, second, kind))}** ({Points(first.Mean - second.Mean)} ± {100 * Margin(first, second):F2})");

    /// <summary>The noise margin of a difference of two means: <see cref="NoiseStandardErrors"/> standard errors of the difference.</summary>
    private static double Margin(SeedStatistics first, SeedStatistics second) =>
        NoiseStandardErrors * Math.Sqrt(first.StandardError * first.StandardError + second.StandardError * second.StandardError);

    private static string Points(double fraction) => (100 * fraction).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);

    /// <summary>The verdict in the words of docs/ablations.md.</summary>
    public static string Describe(ClaimVerdict verdict) => verdict switch
    {
        ClaimVerdict.Holds => "holds",
        ClaimVerdict.Reversed => "reversed",
        ClaimVerdict.Undecided => "one seed, no verdict",
        _ => "within noise",
    };
}
