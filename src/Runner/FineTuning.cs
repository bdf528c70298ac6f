using System.Diagnostics;
using ReLICv2.Augmentation;
using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// Semi-supervised fine-tuning (docs/evaluation.md §1, the paper's appendix B.2): an encoder — pre-trained, or freshly
/// initialised for the comparison — and a new linear head trained end to end on the labelled subset of a training split
/// with the options' Nesterov SGD (head and encoder at their own learning rates, step decay at two milestones, weight
/// decay or none) under random resized crops and flips, then scored on the plain test images.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// Fine-tunes <paramref name="encoder"/> in place on the images of <paramref name="train"/> that <paramref name="subset"/>
    /// names and returns top-1/top-5 on <paramref name="test"/>. Every step is reported through
    /// <paramref name="callbacks"/>.OnStep; <paramref name="seed"/> fixes the head's weights, the batch order and the crops.
    /// </summary>
    public static ClassificationScore Run(Module encoder, long featureDim, IImageDataset train, LabelSubset subset, IImageDataset test,
        FineTuningOptions options, ulong seed, ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(subset);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        subset.CheckFits(train.Count, "the training split");
        var labelled = new SubsetDataset(train, subset.Indices);
        var batchSize = Math.Min(options.BatchSize, labelled.Count);
        if (batchSize < 2)
            throw new ArgumentException($"the label subset holds {labelled.Count} image(s); fine-tuning needs at least 2 (a larger fraction or training split)");
        var loader = new DataLoader(labelled, batchSize, shuffle: true, seed: seed, dropLast: true, prefetchDepth: 2);
        var total = (long)loader.BatchesPerEpoch * options.Epochs;
        using var g = new Generator(seed);
        using var trainer = new SupervisedTrainer(encoder, featureDim, train.ClassCount, (encoderParameters, headParameters) => new Sgd(
        [
            new ParameterGroup<SgdOptions>(headParameters, new SgdOptions(options.HeadLearningRate, options.Momentum, weightDecay: options.WeightDecay, nesterov: true)),
            new ParameterGroup<SgdOptions>(encoderParameters, new SgdOptions(options.EncoderLearningRate, options.Momentum, weightDecay: options.WeightDecay, nesterov: true)),
        ]), g);
        var augment = CropAndFlip(train, options.CropMinArea);
        var schedule = options.Schedule(total);
        trainer.Train(loader, options.Epochs, (batch, step) => augment.Run(batch.Images, PretrainingAdapters.StepSeed(seed + 4000, step)), schedule.Multiplier,
            StepReporter(callbacks, total, batchSize, trainer.Optimizer), total, cancellation);
        cancellation.ThrowIfCancellationRequested();
        return trainer.Evaluate(test);
    }

    /// <summary>Random resized crops of area [minArea, 1] (square images only) and horizontal flips, on Float32 in [0, 1].</summary>
    internal static AugmentationChain CropAndFlip(IImageDataset data, double minArea) =>
        data.Height == data.Width && minArea < 1
            ? AugmentationChain.Of(new ResizedCrop(data.Height, minArea, 1.0, interpolation: InterpolationMode.Bilinear), new HorizontalFlip(0.5))
            : AugmentationChain.Of(new HorizontalFlip(0.5));

    /// <summary>A supervised trainer's steps as <see cref="MetricsRecord"/>s for the progress display (the head's learning rate shown).</summary>
    internal static Action<int, long, double>? StepReporter(ExperimentCallbacks? callbacks, long total, int batchSize, Optimizer optimizer)
    {
        if (callbacks?.OnStep is not { } onStep) return null;
        var clock = Stopwatch.StartNew();
        return (epoch, step, loss) =>
        {
            var seconds = clock.Elapsed.TotalSeconds;
            onStep(new MetricsRecord(step, epoch, loss, new Dictionary<string, double>(), optimizer.LearningRate(0), null,
                seconds > 0 ? step * batchSize / seconds : 0, seconds), total);
        };
    }
}
