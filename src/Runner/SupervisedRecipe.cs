using System.Diagnostics;
using System.Globalization;
using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// What labels give (docs/evaluation.md §2): the experiment's encoder, freshly initialised, trained with labels under a
/// standard supervised recipe — random resized crops of area [<see cref="CropMinArea"/>, 1] and horizontal flips, SGD with
/// Nesterov momentum <see cref="Momentum"/>, weight decay <see cref="WeightDecay"/>, cosine decay to zero, the learning rate
/// (at batch 256, scaled linearly with the experiment's batch size) chosen by <see cref="Sweep"/> on a held-out
/// <see cref="HeldOutFraction"/> of the training split — then scored on the test split. <see cref="SameTime"/> trains for the
/// wall-clock the self-supervised run took, <see cref="Reference"/> for a set number of epochs.
/// </summary>
public static class SupervisedRecipe
{
    /// <summary>The recipe's fixed hyper-parameters.</summary>
    public const double WeightDecay = 5e-4, Momentum = 0.9, CropMinArea = 0.25, HeldOutFraction = 0.1;

    /// <summary>
    /// Tries <see cref="EvaluationSpec.SupervisedLearningRate"/> divided by, equal to and multiplied by
    /// <see cref="EvaluationSpec.SupervisedSweepFactor"/>, each for <see cref="EvaluationSpec.SupervisedSweepEpochs"/> on the
    /// training split less a seeded held-out tenth, and scores each on that tenth.
    /// </summary>
    public static LearningRateSweep Sweep(Experiment experiment, IImageDataset train, ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(train);
        callbacks ??= ExperimentCallbacks.None;
        var e = experiment.Evaluation;
        if (e.SupervisedSweepFactor == 1) return new LearningRateSweep([e.SupervisedLearningRate], []);
        double[] rates = [e.SupervisedLearningRate / e.SupervisedSweepFactor, e.SupervisedLearningRate, e.SupervisedLearningRate * e.SupervisedSweepFactor];
        var (fit, heldOut) = HoldOut(train, experiment.Seed);
        var scores = new List<double>();
        foreach (var lr in rates)
        {
            callbacks.OnMessage?.Invoke($"sweep: lr {lr.ToString("G3", CultureInfo.InvariantCulture)} for {e.SupervisedSweepEpochs} epoch(s) on {fit.Count} images, scored on {heldOut.Count} held out");
            try
            {
                using var init = new Generator(experiment.Seed + 2000);
                using var encoder = experiment.Encoder.Build(train.Channels, init);
                scores.Add(Train(experiment, encoder, fit, heldOut, lr, e.SupervisedSweepEpochs, null, callbacks, cancellation).Top1);
            }
            catch (NonFiniteLossException)
            {
                scores.Add(double.NaN);
            }
            cancellation.ThrowIfCancellationRequested();
        }
        var sweep = new LearningRateSweep(rates, scores);
        callbacks.OnMessage?.Invoke($"sweep chose {sweep.Describe()}");
        return sweep;
    }

    /// <summary>
    /// Trains with the sweep's rate for as many steps as fit in <paramref name="seconds"/> (the step time measured on a few
    /// throw-away steps first) and scores the result; the row is <see cref="ExperimentRunner.SupervisedSameTime"/>.
    /// </summary>
    public static AccuracyResult SameTime(Experiment experiment, IImageDataset train, IImageDataset test, LearningRateSweep sweep, double seconds,
        ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(sweep);
        if (seconds is not (> 0 and < double.PositiveInfinity)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "SupervisedRecipe.SameTime: seconds must be finite and > 0");
        callbacks ??= ExperimentCallbacks.None;
        var perStep = StepSeconds(experiment, train, sweep.Best);
        var steps = Math.Max(1, (long)(seconds / perStep));
        callbacks.OnMessage?.Invoke($"{perStep:F3} s per step: {steps} steps fit in {seconds / 60:F1} min");
        using var init = new Generator(experiment.Seed + 2000);
        using var encoder = experiment.Encoder.Build(train.Channels, init);
        var score = Train(experiment, encoder, train, test, sweep.Best, Epochs(experiment, train, steps), steps, callbacks, cancellation);
        return new AccuracyResult(ExperimentRunner.SupervisedSameTime, ExperimentRunner.LabelsEndToEnd, score.Top1, score.Top5,
            $"same wall-clock as pre-training + evaluation: {steps} steps ≈ {seconds / 60:F1} min; {sweep.Describe()}");
    }

    /// <summary>
    /// Trains with the sweep's rate for <see cref="EvaluationSpec.SupervisedEpochs"/> (default
    /// <see cref="EvaluationSpec.DefaultSupervisedEpochs"/>) and scores the result; the row is <see cref="ExperimentRunner.SupervisedReference"/>.
    /// With <c>saveEncoderTo</c> the trained encoder's state dict is written there (safetensors), so that other protocols can
    /// score it later (<c>relic eval robustness --encoders supervised</c>).
    /// </summary>
    public static AccuracyResult Reference(Experiment experiment, IImageDataset train, IImageDataset test, LearningRateSweep sweep,
        ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default, string? saveEncoderTo = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(sweep);
        var epochs = experiment.Evaluation.SupervisedEpochs ?? EvaluationSpec.DefaultSupervisedEpochs;
        using var init = new Generator(experiment.Seed + 2000);
        using var encoder = experiment.Encoder.Build(train.Channels, init);
        var score = Train(experiment, encoder, train, test, sweep.Best, epochs, null, callbacks, cancellation);
        if (saveEncoderTo is not null)
            SafeTensors.Write(saveEncoderTo, encoder.StateDict().Select(kv => new NamedTensor(kv.Key, kv.Value)).ToList(),
                new Dictionary<string, string> { ["encoder"] = ExperimentRunner.SupervisedReference, ["epochs"] = epochs.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new AccuracyResult(ExperimentRunner.SupervisedReference, ExperimentRunner.LabelsEndToEnd, score.Top1, score.Top5,
            $"reference trained to convergence: {epochs} epochs; {sweep.Describe()}");
    }

    /// <summary>The training split less a held-out tenth (at least one image each), split by a permutation drawn from the seed.</summary>
    public static (IImageDataset Fit, IImageDataset HeldOut) HoldOut(IImageDataset train, ulong seed)
    {
        if (train.Count < 2) throw new ArgumentException($"the training split has {train.Count} image(s); the learning-rate sweep holds some out and needs at least 2");
        var heldOut = Math.Clamp((int)Math.Round(HeldOutFraction * train.Count), 1, train.Count - 1);
        using var g = new Generator(seed + 5000);
        using var order = Torch.RandPerm(train.Count, g);
        var indices = order.ToArray<long>().Select(i => (int)i).ToArray();
        return (new SubsetDataset(train, indices[heldOut..]), new SubsetDataset(train, indices[..heldOut]));
    }

    private static int Batch(Experiment experiment, IImageDataset data) => Math.Max(2, Math.Min(experiment.BatchSize, data.Count));

    private static int Epochs(Experiment experiment, IImageDataset train, long steps)
    {
        var perEpoch = Math.Max(1, train.Count / Batch(experiment, train));
        return (int)Math.Min(int.MaxValue, (steps + perEpoch - 1) / perEpoch);
    }

    /// <summary>Trains <paramref name="encoder"/> and a new head on <paramref name="data"/>, scores them on <paramref name="test"/>.</summary>
    private static ClassificationScore Train(Experiment experiment, Module encoder, IImageDataset data, IImageDataset test, double learningRate, int epochs,
        long? maxSteps, ExperimentCallbacks? callbacks, CancellationToken cancellation)
    {
        var batch = Batch(experiment, data);
        var loader = new DataLoader(data, batch, shuffle: true, seed: experiment.Seed + 2000, dropLast: true, prefetchDepth: 3);
        var steps = maxSteps ?? (long)loader.BatchesPerEpoch * epochs;
        using var g = new Generator(experiment.Seed + 2000);
        var lr = learningRate * batch / 256;
        using var trainer = new SupervisedTrainer(encoder, ((ResNet)encoder).OutputDim, data.ClassCount,
            ps => new Sgd(ps, new SgdOptions(lr, Momentum, weightDecay: WeightDecay, nesterov: true)), g);
        var augment = FineTuning.CropAndFlip(data, CropMinArea);
        trainer.Train(loader, epochs, (b, step) => augment.Run(b.Images, PretrainingAdapters.StepSeed(experiment.Seed + 2000, step)),
            new WarmupCosineSchedule(steps).Multiplier, FineTuning.StepReporter(callbacks, steps, batch, trainer.Optimizer), steps, cancellation);
        cancellation.ThrowIfCancellationRequested();
        return trainer.Evaluate(test);
    }

    /// <summary>Seconds per supervised step: <see cref="MeasuredSteps"/> throw-away steps, the first <see cref="WarmUpSteps"/> untimed.</summary>
    private static double StepSeconds(Experiment experiment, IImageDataset train, double learningRate)
    {
        var batch = Batch(experiment, train);
        var loader = new DataLoader(train, batch, shuffle: true, seed: experiment.Seed + 2001, dropLast: true, prefetchDepth: 3);
        var steps = Math.Min(MeasuredSteps, loader.BatchesPerEpoch);
        var warmUp = Math.Min(WarmUpSteps, steps - 1);
        using var g = new Generator(experiment.Seed + 2001);
        using var encoder = experiment.Encoder.Build(train.Channels, g);
        using var trainer = new SupervisedTrainer(encoder, ((ResNet)encoder).OutputDim, train.ClassCount,
            ps => new Sgd(ps, new SgdOptions(learningRate * batch / 256, Momentum, weightDecay: WeightDecay, nesterov: true)), g);
        var augment = FineTuning.CropAndFlip(train, CropMinArea);
        var clock = new Stopwatch();
        if (warmUp == 0) clock.Start();
        var timed = 0;
        trainer.Train(loader, 1, (b, step) => augment.Run(b.Images, (ulong)step), _ => 1.0, (_, step, _) =>
        {
            if (step == warmUp) clock.Start();
            if (step > warmUp) timed++;
        }, steps);
        return Math.Max(clock.Elapsed.TotalSeconds / Math.Max(timed, 1), 1e-6);
    }

    private const int MeasuredSteps = 8;
    private const int WarmUpSteps = 3;
}
