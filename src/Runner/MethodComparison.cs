using System.Globalization;
using System.Text;
using System.Text.Json;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// Methods compared at equal cost: each method's Fashion-MNIST preset (<see cref="MethodPresets"/>) pre-trained under the
/// same wall-clock budget and scored by the same linear probe and k-NN (online encoder, and the EMA target's for the
/// methods that have one). This type holds the experiments (<see cref="FashionMnist"/>, <see cref="Quick"/>), what a
/// restarted comparison does with each run directory (<see cref="StateOf"/>, <see cref="RunOrKeep"/>: a finished run is
/// kept, a stopped one resumed) and the table of the runs (<see cref="Write"/>: comparison.md and comparison.json).
/// <c>relic compare</c> and scripts/methods.fsx are its two front ends; <c>relic report</c> draws the page.
/// </summary>
public static class MethodComparison
{
    /// <summary>Minutes of pre-training each method gets unless told otherwise, and in a <c>--quick</c> comparison (CI).</summary>
    public const double DefaultMinutes = 10, QuickMinutes = 0.02;

    /// <summary>The table as markdown, the table as JSON and the multi-run page, in the comparison's folder.</summary>
    public const string MarkdownFile = "comparison.md", JsonFile = "comparison.json", PageFile = "comparison.html";

    /// <summary>
    /// <paramref name="method"/>'s Fashion-MNIST preset with <paramref name="minutes"/> of pre-training and without the
    /// random-init and supervised baselines (the same for every method; <c>relic pretrain --preset fashion-mnist</c> runs them).
    /// The probe and k-NN settings are the presets' own, which all methods share.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown method, or minutes not finite and &gt; 0.</exception>
    public static Experiment FashionMnist(string method, double minutes = DefaultMinutes)
    {
        if (minutes is not (> 0 and < double.PositiveInfinity))
            throw new ArgumentOutOfRangeException(nameof(minutes), minutes, "MethodComparison: the budget in minutes must be finite and > 0");
        return MethodPresets.FashionMnist(method, minutes)
            .With("evaluation.randomInitBaseline", "false")
            .With("evaluation.supervisedBaseline", "false");
    }

    /// <summary>
    /// A seconds-long variant of <paramref name="experiment"/> for CI and smoke tests: the first 128 training and test images,
    /// ResNet-18 of base width 4 with the small-image stem, heads 64 → 32 (a predictor of 64 where the method has one),
    /// batch 32, at most 3 epochs within the experiment's time budget, a 2-epoch probe on plain images. The method, its
    /// objective, views, target mode, optimiser and mask source are kept.
    /// </summary>
    public static Experiment Quick(Experiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var d = experiment.Dataset;
        var e = experiment.Evaluation;
        return experiment.With(
                dataset: new DatasetSpec(d.Kind, d.Root, trainLimit: 128, testLimit: 128, imageSize: d.ImageSize, masks: d.Masks),
                encoder: new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
                heads: new HeadsSpec(64, 32, experiment.Heads.PredictorHidden > 0 ? 64 : 0),
                epochs: 3, batchSize: 32,
                evaluation: new EvaluationSpec(probeEpochs: 2, probeLearningRate: e.ProbeLearningRate, knnK: 10, knnTemperature: e.KnnTemperature,
                    randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0, evaluateTarget: e.EvaluateTarget));
    }

    /// <summary>
    /// What a comparison does with <paramref name="runDirectory"/> for <paramref name="experiment"/>: start it, resume it from
    /// its checkpoint, or keep it because it has been pre-trained and evaluated.
    /// </summary>
    /// <exception cref="InvalidOperationException">The directory holds another experiment (another budget, --quick, --set …).</exception>
    public static ComparisonRunState StateOf(Experiment experiment, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var run = new RunDirectory(runDirectory);
        if (File.Exists(run.Experiment))
        {
            Experiment saved;
            try
            {
                saved = Experiment.Load(run.Experiment);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidOperationException($"run directory '{run.Root}' holds an unreadable experiment.json ({Experiment.OneLine(e)}): remove it or choose another folder", e);
            }
            if (saved != experiment)
                throw new InvalidOperationException($"run directory '{run.Root}' holds another experiment than {experiment.MethodName} with these settings " +
                                                    "(budget, --quick or --set differ): choose another output folder, or remove this one to start it over");
        }
        if (!File.Exists(Checkpoint.SidecarPath(Path.Combine(run.Checkpoints, "last")))) return ComparisonRunState.Fresh;
        return IsEvaluated(experiment, run) ? ComparisonRunState.Finished : ComparisonRunState.Resume;
    }

    /// <summary>
    /// Runs <paramref name="experiment"/> into <paramref name="runDirectory"/> as <see cref="StateOf"/> says — from the start,
    /// from its checkpoint, or not at all — and returns the state it found.
    /// </summary>
    /// <exception cref="OperationCanceledException">The run was stopped by <paramref name="cancellation"/> (after a checkpoint: run again to continue).</exception>
    public static ComparisonRunState RunOrKeep(Experiment experiment, string runDirectory, ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default)
    {
        var state = StateOf(experiment, runDirectory);
        if (state == ComparisonRunState.Finished) return state;
        var result = ExperimentRunner.Run(experiment, runDirectory, resume: state == ComparisonRunState.Resume, callbacks, cancellation);
        if (result.Pretraining.Cancelled)
            throw new OperationCanceledException($"{experiment.MethodName} stopped at step {result.Pretraining.StepsDone} of {result.Pretraining.TotalSteps}; its checkpoint is kept, run the comparison again to continue", cancellation);
        return state;
    }

    private static bool IsEvaluated(Experiment experiment, RunDirectory run)
    {
        var results = ResultsFile.Read(run);
        var encoders = experiment.Evaluation.EvaluateTarget
            ? new[] { ExperimentRunner.Pretrained(experiment), ExperimentRunner.PretrainedTarget(experiment) }
            : [ExperimentRunner.Pretrained(experiment)];
        return encoders.All(encoder => new[] { ExperimentRunner.Probe, ExperimentRunner.Knn }
            .All(protocol => results.Any(r => r.Encoder == encoder && r.Protocol == protocol)));
    }

    /// <summary>The comparison line of the run in <paramref name="runDirectory"/>, from its experiment.json, results.json and metrics.jsonl.</summary>
    /// <exception cref="FileNotFoundException">The directory has no experiment.json or no metrics.jsonl.</exception>
    /// <exception cref="InvalidDataException">A file of the run is unreadable, or it logged no step.</exception>
    public static MethodComparisonRow Row(string runDirectory)
    {
        var run = new RunDirectory(runDirectory);
        var experiment = Experiment.Load(run.Experiment);
        var results = ResultsFile.Read(run);
        double? Top1(string encoder, string protocol) => results.FirstOrDefault(r => r.Encoder == encoder && r.Protocol == protocol)?.Top1;
        var metrics = MetricsLog.Read(run.Metrics);
        if (metrics.Count == 0) throw new InvalidDataException($"{run.Metrics}: the run logged no pre-training step");
        var last = metrics[^1];
        var speeds = metrics.Select(m => m.ImagesPerSecond).Order().ToList();
        string online = ExperimentRunner.Pretrained(experiment), target = ExperimentRunner.PretrainedTarget(experiment);
        return new MethodComparisonRow(experiment.Method, experiment.MethodName, run.Root, Top1(online, ExperimentRunner.Probe), Top1(online, ExperimentRunner.Knn),
            Top1(target, ExperimentRunner.Probe), Top1(target, ExperimentRunner.Knn), last.Step, last.ElapsedSeconds, speeds[speeds.Count / 2],
            last.ElapsedSeconds / Math.Max(last.Step, 1), experiment.TimeBudgetMinutes);
    }

    /// <summary>
    /// The table of the runs in <paramref name="runDirectories"/>, one line each in their order, written to
    /// <paramref name="outDirectory"/> as <see cref="MarkdownFile"/> and <see cref="JsonFile"/> (atomically); returns the lines.
    /// </summary>
    public static IReadOnlyList<MethodComparisonRow> Write(IEnumerable<string> runDirectories, string outDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectories);
        ArgumentException.ThrowIfNullOrEmpty(outDirectory);
        var rows = runDirectories.Select(Row).ToList();
        Directory.CreateDirectory(outDirectory);
        AtomicFile.WriteAllBytes(Path.Combine(outDirectory, MarkdownFile), new UTF8Encoding(false).GetBytes(Markdown(rows)));
        AtomicFile.WriteAllBytes(Path.Combine(outDirectory, JsonFile), JsonSerializer.SerializeToUtf8Bytes(rows, Json));
        return rows;
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>
    /// The table as markdown: method, linear-probe and k-NN top-1 (online / EMA target for methods with a target), steps,
    /// median images/s and seconds per step.
    /// </summary>
    public static string Markdown(IReadOnlyList<MethodComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        static string Pct(double? v) => v is { } x ? (x * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "–";
        static string Pair(double? online, double? target) => target is null ? Pct(online) : $"{Pct(online)} / {Pct(target)}";
        var sb = new StringBuilder();
        sb.Append("| method | linear probe top-1 | k-NN top-1 | steps | images/s | s / step |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.MethodName} | {Pair(r.ProbeTop1, r.TargetProbeTop1)} | {Pair(r.KnnTop1, r.TargetKnnTop1)} | {r.Steps} | {r.ImagesPerSecond:F0} | {r.SecondsPerStep:F3} |\n");
        if (rows.Any(r => r.TargetProbeTop1 is not null || r.TargetKnnTop1 is not null))
            sb.Append("\nTwo values: the online encoder / the EMA target's encoder.\n");
        return sb.ToString();
    }
}
