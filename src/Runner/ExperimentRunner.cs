using System.Diagnostics;
using System.Text.Json;
using ReLICv2.Augmentation;
using ReLICv2.Data;
using ReLICv2.Distributed;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using ReLICv2.Views;
using ReLICv2.Vision;

namespace ReLICv2.Experiments;

/// <summary>
/// Runs an <see cref="Experiment"/>: loads the data, builds the networks from the seed, writes the experiment value and
/// the view grid, pre-trains (resuming from the run's checkpoint when asked), then evaluates the encoder with the linear
/// probe and k-NN beside the random-init baseline and the supervised recipe (same wall-clock and reference), writing
/// results.json. <see cref="EvaluateRobustness"/> adds the robustness protocol to a finished run (docs/method.md §7.1).
/// Under a <see cref="ProcessGroup"/> of R &gt; 1 ranks (docs/distributed.md) the experiment's batch size is the global batch:
/// every rank trains on its own BatchSize / R images of each global batch, rank 0 alone writes the run directory, and
/// rank 0 alone evaluates once pre-training has ended on every rank.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>
    /// The accuracy table's name for the online encoder of <paramref name="experiment"/>: its method's name followed by
    /// <see cref="PretrainedSuffix"/>, e.g. "BYOL pre-trained".
    /// </summary>
    public static string Pretrained(Experiment experiment) => $"{Method(experiment)} {PretrainedSuffix}";

    /// <summary>The accuracy table's name for the EMA target's encoder of <paramref name="experiment"/>, e.g. "BYOL EMA target".</summary>
    public static string PretrainedTarget(Experiment experiment) => $"{Method(experiment)} {TargetSuffix}";

    /// <summary>How the names of the pre-trained encoders end, after the method's name (<see cref="Pretrained"/>, <see cref="PretrainedTarget"/>).</summary>
    public const string PretrainedSuffix = "pre-trained", TargetSuffix = "EMA target";

    /// <summary>
    /// Names of the baseline encoders in the accuracy table. <see cref="SupervisedSameTime"/> and <see cref="SupervisedReference"/> are
    /// the supervised recipe's two rows (docs/evaluation.md §2); <see cref="Supervised"/> names the rows of runs made before
    /// them, an encoder trained with the pre-training's own view augmentation for as many steps (still read by the report).
    /// </summary>
    public const string RandomInit = "random init", Supervised = "supervised", SupervisedSameTime = "supervised, same time",
        SupervisedReference = "supervised reference";

    /// <summary>Names of the protocols in the accuracy table.</summary>
    public const string Probe = "linear probe", Knn = "k-NN", LabelsEndToEnd = "trained with labels";

    /// <summary>Runs <paramref name="experiment"/> into <paramref name="runDirectory"/> (see the type's summary).</summary>
    /// <param name="experiment">What to run.</param>
    /// <param name="runDirectory">Where experiment.json, metrics, checkpoints and results go.</param>
    /// <param name="resume">Continue from the directory's last checkpoint.</param>
    /// <param name="callbacks">Progress display hooks.</param>
    /// <param name="cancellation">Stops pre-training between steps, after a checkpoint.</param>
    /// <param name="group">The ranks of a data-parallel run (every rank calls Run with the same experiment), or null.</param>
    /// <param name="data">Train and test splits built by the caller (any <see cref="IImageDataset"/>s of one image size and
    /// class list) used instead of loading <see cref="Experiment.Dataset"/>; its mask source and unreadable-file limit still apply.</param>
    public static ExperimentResult Run(Experiment experiment, string runDirectory, bool resume = false, ExperimentCallbacks? callbacks = null,
        CancellationToken cancellation = default, ProcessGroup? group = null, (IImageDataset Train, IImageDataset Test)? data = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        callbacks ??= ExperimentCallbacks.None;
        group = group is { WorldSize: > 1 } ? group : null;
        var (rank, ranks) = (group?.Rank ?? 0, group?.WorldSize ?? 1);
        var master = rank == 0;
        if (group is not null) CheckDataParallel(experiment, ranks);
        var run = new RunDirectory(runDirectory);
        Directory.CreateDirectory(run.Root);
        var lastCheckpoint = Path.Combine(run.Checkpoints, "last");
        if (!resume && File.Exists(Checkpoint.SidecarPath(lastCheckpoint)))
            throw new InvalidOperationException($"run directory '{run.Root}' already holds a checkpoint: resume it (--resume) or choose another directory");
        // A resume reads and checks everything it continues from — experiment, plan, checkpoint — before it writes anything,
        // so that a run directory it refuses is left exactly as it was; it rewrites none of them.
        if (resume && File.Exists(run.Experiment) && Experiment.Load(run.Experiment) != experiment)
            throw new InvalidOperationException($"run directory '{run.Root}' was made by a different experiment: resuming it with this one would mix two runs");
        var plan = resume && File.Exists(run.Plan) ? StepPlan.Read(run.Plan) : null;
        using var resumeFrom = resume && File.Exists(Checkpoint.SidecarPath(lastCheckpoint)) ? Checkpoint.Load(lastCheckpoint) : null;
        if (master && !(resume && File.Exists(run.Experiment)))
            AtomicFile.WriteAllBytes(run.Experiment, System.Text.Encoding.UTF8.GetBytes(experiment.ToJson()));

        callbacks.OnPhase?.Invoke("loading data");
        var (train, test) = data is { } given ? CheckGiven(given) : experiment.Dataset.Load();
        callbacks.OnMessage?.Invoke($"{(data is null ? experiment.Dataset.Kind.ToString() : "datasets given by the caller")}: {train.Count} training and {test.Count} test images of {train.Channels}×{train.Height}×{train.Width}, {train.ClassCount} classes" +
            (group is null ? "" : $"; rank {rank} of {ranks} trains on {experiment.BatchSize / ranks} of each global batch of {experiment.BatchSize}"));
        CheckMaskSource(experiment, train);
        var loader = new DataLoader(train, experiment.BatchSize / ranks, shuffle: true, seed: experiment.Seed, dropLast: true, prefetchDepth: 3, rank: rank, worldSize: ranks);
        if (loader.BatchesPerEpoch == 0)
            throw new ArgumentException($"the training set has {train.Count} images, fewer than one batch of {experiment.BatchSize}");

        if (master && !(resume && File.Exists(run.Views))) ViewGrid.Write(run.Views, experiment.Views, train, seed: experiment.Seed, masks: experiment.Dataset.Masks);

        var totalSteps = (long)loader.BatchesPerEpoch * experiment.Epochs;
        double? budgetSeconds = null;
        if (experiment.TimeBudgetMinutes is { } minutes && !resume)
        {
            budgetSeconds = BudgetShare * minutes * 60;
            callbacks.OnPhase?.Invoke("measuring step time");
            var perStep = MeasureStepSeconds(experiment, train, loader, totalSteps, group);
            var fit = Math.Max(1, (long)(BudgetShare * minutes * 60 / perStep));
            if (group is not null) fit = AgreedMinimum(group, fit);
            if (fit < totalSteps)
            {
                callbacks.OnMessage?.Invoke($"{perStep:F2} s per step: {fit} of the {totalSteps} steps of {experiment.Epochs} epochs fit in {minutes} min; the schedule is planned for {fit}");
                totalSteps = fit;
            }
        }
        else if (plan is not null)
            totalSteps = plan.TotalSteps;
        if (master && plan is null) new StepPlan(totalSteps).Write(run.Plan);

        PretrainingResult pretraining;
        double selfSupervisedSeconds;
        var accuracies = new List<AccuracyResult>();
        using (var trainer = Build(experiment, train.Channels, loader.BatchesPerEpoch, totalSteps, run.Root, group: group, plan: plan))
        {
            if (resumeFrom is not null)
            {
                trainer.Resume(resumeFrom);
                callbacks.OnMessage?.Invoke($"resumed at step {trainer.StepsDone} of {totalSteps}");
            }
            callbacks.OnPhase?.Invoke("pre-training");
            var startStep = trainer.StepsDone;
            var pace = budgetSeconds is { } seconds
                ? new BudgetPace(seconds, trainer.Schedule.WarmupSteps, (long)loader.BatchesPerEpoch * experiment.Epochs)
                : null;
            pretraining = trainer.Run(loader, r =>
            {
                CheckUnreadable(train, "training", experiment.Dataset.MaxUnreadableFraction);
                if (pace?.Replan(trainer.StepsDone, trainer.Schedule.TotalSteps) is { } replanned)
                {
                    var agreed = group is null ? replanned : AgreedMinimum(group, replanned);
                    var done = trainer.StepsDone;
                    string? how = null;
                    // An unchanged plan is left alone. Inside the warm-up the ramp's slope alone changes; a plan so much
                    // shorter that its warm-up has already passed is not taken (the rate would jump). Past the warm-up,
                    // the cosines are bent where they are.
                    var changed = agreed != trainer.Schedule.TotalSteps;
                    if (changed && done <= trainer.Schedule.WarmupSteps && WarmupSteps(experiment, loader.BatchesPerEpoch, agreed) >= done)
                    {
                        trainer.Replan(agreed, WarmupSteps(experiment, loader.BatchesPerEpoch, agreed));
                        how = "re-planned";
                    }
                    else if (changed && done >= trainer.Schedule.WarmupSteps && done < trainer.Schedule.TotalSteps)
                    {
                        trainer.Stretch(agreed);
                        how = "re-planned the decay";
                    }
                    if (how is not null)
                    {
                        if (master) PlanOf(trainer).Write(run.Plan);
                        callbacks.OnMessage?.Invoke($"{how} from the run's own pace at step {done} ({pace.SecondsPerStep:F3} s per step): {agreed} steps fit in the budget");
                        totalSteps = agreed;
                    }
                }
                callbacks.OnStep?.Invoke(r, totalSteps);
            }, cancellation);
            // The whole run's pre-training time at this process's pace (a resumed run timed only its last part).
            selfSupervisedSeconds = pretraining.Seconds * pretraining.StepsDone / Math.Max(1, pretraining.StepsDone - startStep);
            if (pretraining.Cancelled || !master)
                return new ExperimentResult(experiment, run, pretraining, accuracies) { UnreadableFiles = ReportUnreadable(run, master, train, test, callbacks) };
            // The other ranks have finished: rank 0 evaluates alone, with every core of its machine.
            if (group is not null) Torch.NumThreads = Math.Max(Torch.NumThreads, Environment.ProcessorCount);
            if (group is not null) Nn.BatchNorm.Synchronize(trainer.Online, null);
            if (group is not null && trainer.Ema is not null) Nn.BatchNorm.Synchronize(trainer.Ema.Target, null);

            NextPhase(callbacks, $"linear probe and k-NN of the {experiment.MethodName} pre-trained encoder");
            var evaluation = Stopwatch.StartNew();
            accuracies.AddRange(Evaluate(experiment, Pretrained(experiment), trainer.Online.Encoder, train, test, callbacks));
            selfSupervisedSeconds += evaluation.Elapsed.TotalSeconds;
            if (experiment.Evaluation.EvaluateTarget)
            {
                WriteResults(run, accuracies);
                NextPhase(callbacks, $"linear probe and k-NN of the {experiment.MethodName} EMA target's encoder");
                accuracies.AddRange(Evaluate(experiment, PretrainedTarget(experiment), TargetEncoder(trainer), train, test, callbacks));
            }
        }
        WriteResults(run, accuracies);

        if (experiment.Evaluation.RandomInitBaseline)
        {
            NextPhase(callbacks, "random-init baseline");
            using var encoder = RandomInitEncoder(experiment, train.Channels);
            accuracies.AddRange(Evaluate(experiment, RandomInit, encoder, train, test, callbacks));
            WriteResults(run, accuracies);
        }
        if (experiment.Evaluation.SupervisedBaseline)
        {
            NextPhase(callbacks, "supervised recipe: learning-rate sweep");
            var sweep = SupervisedRecipe.Sweep(experiment, train, callbacks, cancellation);
            NextPhase(callbacks, "supervised recipe: the wall-clock of pre-training + evaluation");
            accuracies.Add(SupervisedRecipe.SameTime(experiment, train, test, sweep, selfSupervisedSeconds, callbacks, cancellation));
            WriteResults(run, accuracies);
            if (experiment.Evaluation.SupervisedEpochs is not null)
            {
                NextPhase(callbacks, "supervised recipe: reference");
                accuracies.Add(SupervisedRecipe.Reference(experiment, train, test, sweep, callbacks, cancellation, Path.Combine(run.Root, SupervisedEncoderFile)));
                WriteResults(run, accuracies);
            }
        }
        return new ExperimentResult(experiment, run, pretraining, accuracies) { UnreadableFiles = ReportUnreadable(run, master, train, test, callbacks) };
    }

    /// <summary>
    /// Evaluates the pre-trained encoder of an existing run (its experiment.json and last checkpoint, or
    /// <paramref name="checkpoint"/>) with the linear probe and/or k-NN of its evaluation settings; the run directory is not
    /// changed. With <paramref name="dataset"/> the encoder is evaluated on another dataset, adapted to the channels and size
    /// it was pre-trained on (transfer, docs/evaluation.md §3).
    /// </summary>
    public static IReadOnlyList<AccuracyResult> EvaluateRun(string runDirectory, bool probe = true, bool knn = true, ExperimentCallbacks? callbacks = null,
        DatasetSpec? dataset = null, string? checkpoint = null)
    {
        callbacks ??= ExperimentCallbacks.None;
        using var opened = RunEvaluation.Open(runDirectory, checkpoint, dataset, callbacks);
        var (experiment, trainer, train, test) = (opened.Experiment, opened.Trainer, opened.Train, opened.Test);
        callbacks.OnPhase?.Invoke(probe && knn ? "linear probe and k-NN" : probe ? "linear probe" : "k-NN");
        var suffix = dataset is null ? "" : TransferSuffix(dataset.Kind);
        var rows = Evaluate(experiment, Pretrained(experiment), trainer.Online.Encoder, train, test, callbacks, probe, knn, suffix);
        if (experiment.Evaluation.EvaluateTarget)
            rows.AddRange(Evaluate(experiment, PretrainedTarget(experiment), TargetEncoder(trainer), train, test, callbacks, probe, knn, suffix));
        return rows;
    }

    /// <summary>
    /// The robustness protocol (docs/method.md §7.1) on the pre-trained encoder of an existing run (its experiment.json and
    /// last checkpoint): the experiment's linear probe is trained on clean training features, then scored on the clean test
    /// split and on its corrupted copies — every corruption of <paramref name="corruptions"/> (default: all) at severities
    /// 1–5 — with the mean corruption accuracy. The background shift takes its masks from the experiment's mask source
    /// (dataset.masks) and is left out, with a message, when there is none. The rows replace the run's earlier robustness
    /// rows in results.json.
    /// </summary>
    /// <param name="runDirectory">The run directory.</param>
    /// <param name="corruptions">The corruptions to evaluate, or null for all.</param>
    /// <param name="callbacks">Progress display hooks.</param>
    /// <param name="seed">Seed of the corruptions' random parts (default: the experiment's seed).</param>
    /// <param name="train">The run's training split when it was run on datasets given by the caller (with <paramref name="test"/>).</param>
    /// <param name="test">The run's test split when it was run on datasets given by the caller (with <paramref name="train"/>).</param>
    /// <param name="encoders">Which encoders to score, from <see cref="RobustnessEncoders"/> (default: the online encoder); each is
    /// probed on its own clean features and its rows carry its name.</param>
    public static IReadOnlyList<AccuracyResult> EvaluateRobustness(string runDirectory, IReadOnlyList<Corruption>? corruptions = null,
        ExperimentCallbacks? callbacks = null, ulong? seed = null, IImageDataset? train = null, IImageDataset? test = null, IReadOnlyList<string>? encoders = null)
    {
        if ((train is null) != (test is null))
            throw new ArgumentException("EvaluateRobustness: give both train and test splits, or neither (the experiment's dataset is loaded)", train is null ? nameof(train) : nameof(test));
        var which = (encoders ?? ["online"]).Distinct().ToList();
        if (which.Count == 0) throw new ArgumentException($"encoders: name at least one of {string.Join(", ", RobustnessEncoders)}", nameof(encoders));
        foreach (var name in which)
            if (!RobustnessEncoders.Contains(name))
                throw new ArgumentException($"encoders: '{name}' is not an encoder the robustness protocol scores; expected {string.Join(", ", RobustnessEncoders)}", nameof(encoders));
        var run = new RunDirectory(runDirectory);
        if (!File.Exists(run.Experiment)) throw new FileNotFoundException($"'{run.Root}' is not a run directory: it has no experiment.json", run.Experiment);
        var experiment = Experiment.Load(run.Experiment);
        var checkpoint = Path.Combine(run.Checkpoints, "last");
        if (!File.Exists(Checkpoint.SidecarPath(checkpoint))) throw new FileNotFoundException($"run '{run.Root}' has no checkpoint yet", Checkpoint.SidecarPath(checkpoint));
        using var saved = Checkpoint.Load(checkpoint);
        callbacks ??= ExperimentCallbacks.None;
        callbacks.OnPhase?.Invoke("loading data");
        var (trainSet, testSet) = train is not null && test is not null ? CheckGiven((train, test)) : experiment.Dataset.Load();
        var chosen = (corruptions ?? Corruptions.All).ToList();
        var source = experiment.Dataset.Masks;
        if (chosen.Contains(Corruption.BackgroundShift))
        {
            if (source is null)
            {
                if (corruptions is not null)
                    throw new ArgumentException("the background shift needs foreground masks, but the experiment names no mask source; set dataset.masks (dataset, folder:PATH, boundary-contrast, spectral-residual)");
                callbacks.OnMessage?.Invoke("background shift left out: the experiment names no mask source (dataset.masks)");
                chosen.Remove(Corruption.BackgroundShift);
            }
            else if (source.FromData && !testSet.HasMasks)
                throw new ArgumentException($"dataset.masks '{source}': the test set ({testSet.GetType().Name}) has no masks for the background shift");
        }
        var supervisedPath = Path.Combine(run.Root, SupervisedEncoderFile);
        if (which.Contains("supervised") && !File.Exists(supervisedPath))
            throw new FileNotFoundException($"run '{run.Root}' has no supervised reference encoder ({SupervisedEncoderFile}); train it with `relic supervised --run-dir {run.Root}` first", supervisedPath);
        if (which.Contains("target") && experiment.Target != TargetMode.Ema)
            throw new ArgumentException($"encoders: 'target' needs an EMA target, but the experiment's target mode is {experiment.Target}");
        using var trainer = Build(experiment, trainSet.Channels, Math.Max(1, trainSet.Count / experiment.BatchSize), 1, runDirectory: null);
        trainer.Resume(saved);
        callbacks.OnMessage?.Invoke($"encoder of step {trainer.StepsDone} from {checkpoint}");
        var all = new List<AccuracyResult>();
        var names = new List<string>();
        foreach (var which1 in which)
        {
            // The random-init and supervised encoders are built here and owned by this iteration; the others belong to the trainer.
            var (name, encoder, owned) = which1 switch
            {
                "online" => (Pretrained(experiment), trainer.Online.Encoder, false),
                "target" => (PretrainedTarget(experiment), TargetEncoder(trainer), false),
                "random-init" => (RandomInit, RandomInitEncoder(experiment, trainSet.Channels), true),
                _ => (SupervisedReference, LoadEncoder(experiment, trainSet.Channels, supervisedPath), true),
            };
            using var ownership = owned ? encoder : null;
            names.Add(name);
            callbacks.OnPhase?.Invoke($"{name}: linear probe on clean features");
            LinearProbe probe;
            using (var trainFeatures = FeatureExtractor.Extract(encoder, trainSet))
                probe = TrainProbe(experiment, encoder, trainSet, trainFeatures);
            using (probe)
            {
                callbacks.OnPhase?.Invoke($"{name}: robustness, clean and {chosen.Count} corruption(s) × {Corruptions.MaxSeverity} severities");
                var lastShown = -1;
                var rows = RobustnessEvaluation.Evaluate(encoder, probe, testSet, name, chosen, source is null ? null : (Func<Batch, Tensor>)source.Masks, seed ?? experiment.Seed,
                    progress: (done, total) =>
                    {
                        var percent = 100 * done / Math.Max(total, 1);
                        if (percent / 10 == lastShown / 10 && done < total) return;
                        lastShown = percent;
                        callbacks.OnMessage?.Invoke($"{done} of {total} test images");
                    });
                var mean = rows.FirstOrDefault(r => r.Corruption == RobustnessEvaluation.Mean);
                callbacks.OnMessage?.Invoke($"{name}: clean top-1 {rows[0].Top1:P2}" + (mean is null ? "" : $", mean corruption accuracy {mean.Top1:P2}"));
                all.AddRange(rows);
            }
        }
        CheckUnreadable(trainSet, "training", experiment.Dataset.MaxUnreadableFraction);
        CheckUnreadable(testSet, "test", experiment.Dataset.MaxUnreadableFraction);
        WriteCorruptionGrid(Path.Combine(run.Root, CorruptionsFile), testSet, chosen, source, seed ?? experiment.Seed);
        var kept = ResultsFile.Read(run).Where(r => !(r.Protocol == RobustnessEvaluation.Protocol && names.Contains(r.Encoder)));
        ResultsFile.Write(run, [.. kept, .. all]);
        return all;
    }

    /// <summary>The random-init baseline's encoder: the experiment's architecture drawn from seed + 1000, as in the run's own random-init rows.</summary>
    private static Module RandomInitEncoder(Experiment experiment, int channels)
    {
        using var g = new Generator(experiment.Seed + 1000);
        return experiment.Encoder.Build(channels, g);
    }

    /// <summary>An encoder of <paramref name="experiment"/>'s architecture with the weights saved in <paramref name="path"/>.</summary>
    private static Module LoadEncoder(Experiment experiment, int channels, string path)
    {
        using var g = new Generator(experiment.Seed);
        var encoder = experiment.Encoder.Build(channels, g);
        try
        {
            using var state = SafeTensors.Read(path);
            encoder.LoadStateDict(state);
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>The run directory's picture of the robustness protocol's corruptions (written by <see cref="EvaluateRobustness"/>).</summary>
    public const string CorruptionsFile = "corruptions.png";

    /// <summary>
    /// A PNG of what the corruptions do: one row per corruption, severities 0–5 across, on the first test image, enlarged
    /// (nearest neighbour) to at least 64 px so that a 28 px image stays visible.
    /// </summary>
    private static void WriteCorruptionGrid(string path, IImageDataset test, IReadOnlyList<Corruption> corruptions, MaskSourceSpec? source, ulong seed)
    {
        using var scope = Torch.NewScope();
        using var batch = test.GetBatch([0]);
        using var masks = corruptions.Contains(Corruption.BackgroundShift) ? source!.Masks(batch) : null;
        var tiles = corruptions.SelectMany(c => Enumerable.Range(0, Corruptions.MaxSeverity + 1).Select(s => Corruptions.Apply(batch.Images, c, s, seed, masks))).ToList();
        var grid = Torch.Cat(tiles);
        var scale = Math.Max(1, (int)Math.Ceiling(64.0 / Math.Max(test.Height, test.Width)));
        if (scale > 1) grid = Torch.Interpolate(grid, test.Height * scale, test.Width * scale, InterpolationMode.Nearest);
        PngWriter.WriteTensor(path, grid, columns: Corruptions.MaxSeverity + 1);
    }

    private static string Method(Experiment experiment) => (experiment ?? throw new ArgumentNullException(nameof(experiment))).MethodName;

    /// <summary>The plan <paramref name="trainer"/> runs on: its length and, once bent past the warm-up, its warm-up and bends.</summary>
    internal static StepPlan PlanOf(Pretrainer trainer)
    {
        var lr = trainer.Schedule.Bends;
        if (lr.Count == 0) return new StepPlan(trainer.Schedule.TotalSteps);
        // Both schedules are bent together (Pretrainer.Stretch); a constant EMA has no progress to keep.
        var ema = (trainer.Ema?.Schedule as CosineEmaSchedule)?.Bends;
        var bends = lr.Select((b, i) => new StepPlan.Bend(b.Step, b.Progress, ema is not null && i < ema.Count ? ema[i].Progress : 0)).ToList();
        return new StepPlan(trainer.Schedule.TotalSteps, trainer.Schedule.WarmupSteps, bends);
    }

    /// <summary>The EMA target's encoder (the experiment's validation guarantees an EMA target when this is asked for).</summary>
    private static Module TargetEncoder(Pretrainer trainer) =>
        ((SiameseNetwork)(trainer.Ema ?? throw new InvalidOperationException("the experiment has no EMA target to evaluate")).Target).Encoder;

    /// <summary>
    /// Trains and scores only the supervised reference of <paramref name="experiment"/>: the learning-rate sweep, then
    /// <see cref="EvaluationSpec.SupervisedEpochs"/> epochs with the rate it chose (docs/evaluation.md §2).
    /// </summary>
    /// <param name="experiment">The experiment whose encoder, dataset and recipe settings are used.</param>
    /// <param name="callbacks">Progress display hooks.</param>
    /// <param name="cancellation">Stops the training between steps.</param>
    /// <param name="runDirectory">When given, the trained encoder is saved there as <see cref="SupervisedEncoderFile"/>.</param>
    public static AccuracyResult TrainSupervised(Experiment experiment, ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default,
        string? runDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        callbacks ??= ExperimentCallbacks.None;
        callbacks.OnPhase?.Invoke("loading data");
        var (train, test) = experiment.Dataset.Load();
        callbacks.OnPhase?.Invoke("supervised recipe: learning-rate sweep");
        var sweep = SupervisedRecipe.Sweep(experiment, train, callbacks, cancellation);
        callbacks.OnPhase?.Invoke("supervised recipe: reference");
        string? save = null;
        if (runDirectory is not null)
        {
            var root = new RunDirectory(runDirectory).Root;
            Directory.CreateDirectory(root);
            save = Path.Combine(root, SupervisedEncoderFile);
        }
        return SupervisedRecipe.Reference(experiment, train, test, sweep, callbacks, cancellation, save);
    }

    /// <summary>The supervised reference's encoder in a run directory (safetensors), written when the reference is trained for the run.</summary>
    public const string SupervisedEncoderFile = "supervised-reference.safetensors";

    /// <summary>The encoders <see cref="EvaluateRobustness"/> can score: the online encoder, the EMA target's, a random initialisation
    /// (the random-init baseline's) and the supervised reference (<see cref="SupervisedEncoderFile"/>).</summary>
    public static readonly IReadOnlyList<string> RobustnessEncoders = ["online", "target", "random-init", "supervised"];

    // A phase with other tensor sizes than the one before: the CPU cache's idle blocks would only sit there.
    private static void NextPhase(ExperimentCallbacks callbacks, string phase)
    {
        Torch.EmptyCpuCache();
        callbacks.OnPhase?.Invoke(phase);
    }

    private static void WriteResults(RunDirectory run, IReadOnlyList<AccuracyResult> results) => ResultsFile.Write(run, results);

    /// <summary>Refuses, before any collective, an experiment that cannot run on <paramref name="ranks"/> ranks.</summary>
    private static void CheckDataParallel(Experiment experiment, int ranks)
    {
        if (experiment.BatchSize % ranks != 0 || experiment.BatchSize / ranks < 2)
            throw new ArgumentException($"Experiment.BatchSize {experiment.BatchSize} is the global batch and must split into {ranks} equal local batches of at least 2 images (a multiple of {ranks}, at least {2 * ranks})");
        if (experiment.Shards > 1)
            throw new ArgumentException($"Experiment.Shards {experiment.Shards} cannot be combined with {ranks} data-parallel ranks; set shards to 1");
        experiment.Objective.ValidateForDataParallel(ranks);
    }

    /// <summary>The smallest of every rank's value, so that all ranks plan the same number of steps.</summary>
    private static long AgreedMinimum(ProcessGroup group, long value)
    {
        using var t = Torch.Full([1], value, DType.Float64);
        group.AllReduce(t, ReduceOp.Min);
        return (long)t.Item();
    }

    /// <summary>The seed of a rank's view maker: the experiment's own for rank 0 (a single process's views), a mix of it and the rank otherwise.</summary>
    internal static ulong ViewSeed(ulong seed, int rank) => rank == 0 ? seed : PretrainingAdapters.StepSeed(seed ^ 0xD1B54A32D192ED03UL, -1 - rank);

    /// <summary>The pre-training engine of <paramref name="experiment"/>, every weight drawn from its seed.</summary>
    internal static Pretrainer Build(Experiment experiment, int inChannels, int batchesPerEpoch, long totalSteps, string? runDirectory, long? maxSteps = null,
        ProcessGroup? group = null, StepPlan? plan = null)
    {
        using var g = new Generator(experiment.Seed);
        var encoder = experiment.Encoder.Build(inChannels, g);
        var h = experiment.Heads;
        var projector = new MlpHead(encoder.OutputDim, h.ProjectorHidden, h.ProjectorOut, g);
        var predictor = h.PredictorHidden > 0 ? new MlpHead(h.ProjectorOut, h.PredictorHidden, h.ProjectorOut, g) : null;
        var online = new SiameseNetwork(encoder, projector, predictor);
        var device = experiment.ResolveDevice(group?.Environment.LocalRank ?? 0);
        if (device != Device.Cpu) online.To(device);
        var o = experiment.Optimizer;
        var lr = o.ScaleWithBatch ? o.LearningRate * experiment.BatchSize / 256 : o.LearningRate;  // the global batch
        Optimizer optimizer = o.Kind switch
        {
            OptimizerKind.Lars => new Lars(Lars.ExcludingBiasAndNorm(online.NamedParameters(), new LarsOptions(lr, o.Momentum, o.WeightDecay))),
            OptimizerKind.Sgd => new Sgd(online.Parameters(), new SgdOptions(lr, o.Momentum, weightDecay: o.WeightDecay)),
            OptimizerKind.AdamW => new AdamW(online.Parameters(), new AdamWOptions(lr, weightDecay: o.WeightDecay)),
            _ => throw new ArgumentOutOfRangeException(nameof(experiment), o.Kind, "unknown optimiser kind"),
        };
        // A resumed run that had re-planned past its warm-up continues on its bent schedules (StepPlan).
        var schedule = new WarmupCosineSchedule(totalSteps, plan?.WarmupSteps ?? WarmupSteps(experiment, batchesPerEpoch, totalSteps),
            bends: plan?.LearningRateBends);
        var ema = experiment.Ema is { } e
            ? e.Cosine ? new CosineEmaSchedule(e.BaseGamma, totalSteps, plan?.EmaBends) : EmaSchedule.Constant(e.BaseGamma)
            : null;
        var checkpointEvery = (int)Math.Clamp(totalSteps / 10, 1, 1000);
        return new Pretrainer(online, experiment.Target, optimizer, schedule, OnDevice(ViewMakerWithMasks(experiment.Views, experiment.Dataset.Masks, ViewSeed(experiment.Seed, group?.Rank ?? 0)), device),
            PretrainingAdapters.Loss(experiment.Objective), new PretrainingOptions(experiment.Epochs, experiment.Seed, checkpointEvery: checkpointEvery,
                runDirectory: runDirectory, maxSteps: maxSteps ?? totalSteps, shards: experiment.Shards), ema, group);
    }

    /// <summary>The warm-up of a run of <paramref name="totalSteps"/> steps: the optimiser's warm-up epochs, at most a tenth of the run.</summary>
    internal static long WarmupSteps(Experiment experiment, int batchesPerEpoch, long totalSteps) =>
        Math.Min((long)Math.Round(experiment.Optimizer.WarmupEpochs * batchesPerEpoch), totalSteps / 10);

    /// <summary>The views of <paramref name="makeViews"/> moved to <paramref name="device"/> (on the loader's prefetch thread, overlapping compute).</summary>
    private static ViewMaker OnDevice(ViewMaker makeViews, Device device) => device == Device.Cpu ? makeViews : (batch, step) =>
    {
        using var views = makeViews(batch, step);
        return new PretrainingViews([.. views.Large.Select(v => v.To(device).DetachFromScope())], [.. views.Small.Select(v => v.To(device).DetachFromScope())]);
    };

    /// <summary>
    /// Views of a batch; when the view set masks large views, the masks come from the experiment's mask source: the batch's
    /// own (dataset and folder masks) or the named estimator's, computed on the batch.
    /// </summary>
    private static ViewMaker ViewMakerWithMasks(ViewSet views, MaskSourceSpec? source, ulong seed)
    {
        var plain = PretrainingAdapters.ViewMaker(views, seed);
        if (!views.NeedsMasks) return plain;
        if (source is null) throw new ArgumentException($"{views.Name} masks large views but the experiment names no mask source (dataset.masks)");
        if (source.FromData) return plain;
        return (batch, step) =>
        {
            using var masks = source.Masks(batch);
            return plain(batch with { Masks = masks }, step);
        };
    }

    /// <summary>Refuses a dataset or folder mask source whose training set carries no masks, before anything is trained.</summary>
    private static void CheckMaskSource(Experiment experiment, IImageDataset train)
    {
        if (experiment.Dataset.Masks is { FromData: true } source && !train.HasMasks && experiment.Views.NeedsMasks)
            throw new ArgumentException($"dataset.masks '{source}': the training set ({train.GetType().Name}) has no masks; name an estimator (boundary-contrast, spectral-residual) or give masks");
    }

    /// <summary>Train and test splits given by the caller must agree on what an image is and which classes there are.</summary>
    private static (IImageDataset, IImageDataset) CheckGiven((IImageDataset Train, IImageDataset Test) data)
    {
        var (train, test) = data;
        ArgumentNullException.ThrowIfNull(train, nameof(data));
        ArgumentNullException.ThrowIfNull(test, nameof(data));
        if ((train.Channels, train.Height, train.Width) != (test.Channels, test.Height, test.Width))
            throw new ArgumentException($"data: the training images are {train.Channels}×{train.Height}×{train.Width} but the test images {test.Channels}×{test.Height}×{test.Width}; they must match", nameof(data));
        if (train.ClassCount < 2 || train.ClassCount != test.ClassCount)
            throw new ArgumentException($"data: the training set has {train.ClassCount} classes and the test set {test.ClassCount}; both need the same number, at least 2", nameof(data));
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"data: the training set has {train.Count} images and the test set {test.Count}; both must have some", nameof(data));
        return (train, test);
    }

    /// <summary>
    /// Stops a run once more than <paramref name="maxFraction"/> of a split's files have proved unreadable (an image folder
    /// skips and counts them); the message names the count, the limit and the first files.
    /// </summary>
    internal static void CheckUnreadable(IImageDataset data, string split, double maxFraction)
    {
        var skipped = data.SkippedFiles;
        if (skipped.Count == 0 || skipped.Count <= maxFraction * data.Count) return;
        var shown = string.Join(", ", skipped.Take(5)) + (skipped.Count > 5 ? $", … ({skipped.Count - 5} more)" : "");
        throw new InvalidDataException(
            $"{skipped.Count} of the {data.Count} {split} images ({(double)skipped.Count / data.Count:P1}) are unreadable, more than dataset.maxUnreadableFraction = {maxFraction:P1}: {shown}. " +
            "Repair or remove them, or raise the limit (--set dataset.maxUnreadableFraction=…)");
    }

    /// <summary>Logs the files the run skipped as unreadable and lists them in the run directory's unreadable.txt.</summary>
    private static IReadOnlyList<string> ReportUnreadable(RunDirectory run, bool master, IImageDataset train, IImageDataset test, ExperimentCallbacks callbacks)
    {
        var (inTrain, inTest) = (train.SkippedFiles, test.SkippedFiles);
        var all = inTrain.Concat(inTest).Distinct().ToArray();
        if (all.Length == 0) return all;
        callbacks.OnMessage?.Invoke($"unreadable files skipped: {inTrain.Count} of {train.Count} training and {inTest.Count} of {test.Count} test images (listed in {UnreadableFile})");
        if (master) AtomicFile.WriteAllBytes(Path.Combine(run.Root, UnreadableFile), System.Text.Encoding.UTF8.GetBytes(string.Join("\n", all) + "\n"));
        return all;
    }

    /// <summary>The run directory's list of skipped unreadable files (one path a line), written when there are any.</summary>
    public const string UnreadableFile = "unreadable.txt";

    /// <summary>
    /// Seconds per pre-training step, measured on a throw-away copy of the run through the same pipeline as the run itself
    /// (views made on the loader's prefetch thread while the previous step computes, so that contention for the cores is
    /// counted): <see cref="MeasuredSteps"/> steps, the first <see cref="WarmUpSteps"/> untimed (allocation, the prefetch
    /// queue filling up).
    /// </summary>
    private static double MeasureStepSeconds(Experiment experiment, IImageDataset train, DataLoader loader, long totalSteps, ProcessGroup? group)
    {
        var steps = (int)Math.Min(MeasuredSteps, loader.BatchesPerEpoch);
        var warmUp = Math.Min(WarmUpSteps, steps - 1);
        using var probe = Build(experiment, train.Channels, loader.BatchesPerEpoch, totalSteps, runDirectory: null, maxSteps: steps, group: group);
        var clock = Stopwatch.StartNew();
        var timed = 0;
        probe.Run(loader, record =>
        {
            if (record.Step == warmUp) clock.Restart();
            else if (record.Step > warmUp) timed++;
        });
        return clock.Elapsed.TotalSeconds / Math.Max(timed, 1);
    }

    private const int MeasuredSteps = 8;
    private const int WarmUpSteps = 3;

    // Steps are planned for this share of a time budget: checkpoints, metrics and the timing's own error must fit in the
    // rest (a plan for 100 % overran; docs/results.md §3).
    private const double BudgetShare = 0.95;

    /// <summary>What a protocol's name gets when the encoder is evaluated on another dataset than its own (", transfer to Cifar10").</summary>
    public static string TransferSuffix(DatasetKind kind) => $", transfer to {kind}";

    private static List<AccuracyResult> Evaluate(Experiment experiment, string name, Module encoder, IImageDataset train, IImageDataset test,
        ExperimentCallbacks callbacks, bool probe = true, bool knn = true, string protocolSuffix = "")
    {
        var e = experiment.Evaluation;
        using var trainFeatures = FeatureExtractor.Extract(encoder, train);
        using var testFeatures = FeatureExtractor.Extract(encoder, test);
        CheckUnreadable(train, "training", experiment.Dataset.MaxUnreadableFraction);
        CheckUnreadable(test, "test", experiment.Dataset.MaxUnreadableFraction);
        // The extraction, the probe and the k-NN each free blocks of sizes the next does not reuse (activations, the probe's
        // feature copies, the similarity chunks); held in the CPU cache they would stack up: the main job's peak resident
        // memory fell from 1 693 to 1 417 MiB when the cache was emptied between them (docs/benchmarks.md §9).
        Torch.EmptyCpuCache();
        var rows = new List<AccuracyResult>();
        if (probe)
        {
            using var classifier = TrainProbe(experiment, encoder, train, trainFeatures);
            var score = classifier.Score(testFeatures);
            var augmentation = e.ProbeAugmentedCopies == 0 ? "plain images" : $"plain + {e.ProbeAugmentedCopies} crop-and-flip copies";
            rows.Add(new AccuracyResult(name, Probe + protocolSuffix, score.Top1, score.Top5, $"{e.ProbeEpochs} epochs on frozen {trainFeatures.Dimension}-d features of {augmentation}"));
            Torch.EmptyCpuCache();
        }
        if (knn)
        {
            var score = KnnClassifier.Score(trainFeatures, testFeatures, train.ClassCount, Math.Min(e.KnnK, (int)trainFeatures.Count), e.KnnTemperature);
            rows.Add(new AccuracyResult(name, Knn + protocolSuffix, score.Top1, score.Top5, $"k = {e.KnnK}, τ = {e.KnnTemperature}"));
            Torch.EmptyCpuCache();
        }
        callbacks.OnMessage?.Invoke($"{name}: " + string.Join(", ", rows.Select(r => $"{r.Protocol} top-1 {r.Top1:P2}")));
        return rows;
    }

    /// <summary>The linear probe of <paramref name="experiment"/>'s evaluation, trained on the encoder's clean training features (and their augmented copies).</summary>
    internal static LinearProbe TrainProbe(Experiment experiment, Module encoder, IImageDataset train, FeatureSet trainFeatures)
    {
        var e = experiment.Evaluation;
        using var probeSet = ProbeTrainingSet(experiment, encoder, train, trainFeatures);
        return LinearProbe.Train(probeSet, train.ClassCount, new LinearProbeOptions(e.ProbeEpochs, e.ProbeLearningRate, seed: experiment.Seed));
    }

    /// <summary>
    /// The linear probe's training features: the plain set followed by <see cref="EvaluationSpec.ProbeAugmentedCopies"/> copies
    /// under random resized crops (area [ProbeCropMinArea, 1], square images) and horizontal flips, each copy drawn from its own seed.
    /// </summary>
    private static FeatureSet ProbeTrainingSet(Experiment experiment, Module encoder, IImageDataset train, FeatureSet plain)
    {
        var e = experiment.Evaluation;
        if (e.ProbeAugmentedCopies == 0) return new FeatureSet(plain.Features.Alias(), plain.Labels.Alias());
        var chain = train.Height == train.Width && e.ProbeCropMinArea < 1
            ? AugmentationChain.Of(new ResizedCrop(train.Height, e.ProbeCropMinArea, 1.0, interpolation: InterpolationMode.Bilinear), new HorizontalFlip(0.5))
            : AugmentationChain.Of(new HorizontalFlip(0.5));
        var copies = new List<FeatureSet>();
        try
        {
            for (var c = 0; c < e.ProbeAugmentedCopies; c++)
            {
                var copySeed = PretrainingAdapters.StepSeed(experiment.Seed + 3000, c);
                copies.Add(FeatureExtractor.Extract(encoder, train, transform: (x, batch) => chain.Run(x, PretrainingAdapters.StepSeed(copySeed, batch))));
            }
            return new FeatureSet(Torch.Cat([plain.Features, .. copies.Select(f => f.Features)]).DetachFromScope(),
                Torch.Cat([plain.Labels, .. copies.Select(f => f.Labels)]).DetachFromScope());
        }
        finally
        {
            foreach (var f in copies) f.Dispose();
        }
    }
}
