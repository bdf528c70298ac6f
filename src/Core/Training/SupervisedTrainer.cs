using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// An encoder trained end to end with a new linear classifier and cross-entropy on labels: the supervised baselines
/// (docs/evaluation.md §2) and semi-supervised fine-tuning from a pre-trained encoder (§1), which differ only in the
/// initial weights, the optimiser's parameter groups, the schedule and the augmentation they are given.
/// </summary>
public sealed class SupervisedTrainer : IDisposable
{
    /// <summary>One optimiser over the encoder's and the new head's parameters together.</summary>
    public SupervisedTrainer(Module encoder, long featureDim, int classes, Func<IReadOnlyList<Tensor>, Optimizer> optimizer, Generator generator)
        : this(encoder, featureDim, classes, Together(optimizer), generator)
    {
    }

    /// <summary>
    /// An optimiser given the encoder's parameters and the new head's parameters apart (fine-tuning gives them separate
    /// learning rates, paper appendix B.2).
    /// </summary>
    public SupervisedTrainer(Module encoder, long featureDim, int classes, Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, Optimizer> optimizer,
        Generator generator)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Head = new Linear(featureDim, classes, generator);
        Optimizer = optimizer(encoder.Parameters(), Head.Parameters());
        Classes = classes;
    }

    private static Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, Optimizer> Together(Func<IReadOnlyList<Tensor>, Optimizer> optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return (encoder, head) => optimizer([.. encoder, .. head]);
    }

    public Module Encoder { get; }

    public Linear Head { get; }

    public Optimizer Optimizer { get; }

    public int Classes { get; }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs; <paramref name="augment"/> turns a batch into one float view batch for
    /// step k (the pre-training chain of one view, say); <paramref name="maxSteps"/> stops earlier. Returns the mean loss of each epoch.
    /// </summary>
    public IReadOnlyList<double> Train(DataLoader loader, int epochs, Func<Batch, long, Tensor> augment, WarmupCosineSchedule? schedule = null,
        Action<int, long, double>? onStep = null, long? maxSteps = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "SupervisedTrainer: epochs must be >= 1");
        schedule ??= new WarmupCosineSchedule((long)loader.BatchesPerEpoch * epochs);
        return Train(loader, epochs, augment, schedule.Multiplier, onStep, maxSteps, cancellation);
    }

    /// <summary>
    /// As the other overload, with any learning-rate schedule: <paramref name="multiplier"/>(k) is the optimiser's
    /// learning-rate multiplier before step k (a <see cref="Optim.StepDecaySchedule"/>'s, say).
    /// </summary>
    public IReadOnlyList<double> Train(DataLoader loader, int epochs, Func<Batch, long, Tensor> augment, Func<long, double> multiplier,
        Action<int, long, double>? onStep = null, long? maxSteps = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentNullException.ThrowIfNull(augment);
        ArgumentNullException.ThrowIfNull(multiplier);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "SupervisedTrainer: epochs must be >= 1");
        Encoder.Train();
        Head.Train();
        var losses = new List<double>();
        long step = 0;
        var limit = maxSteps ?? long.MaxValue;
        for (var epoch = 0; epoch < epochs && step < limit && !cancellation.IsCancellationRequested; epoch++)
        {
            double sum = 0;
            var count = 0;
            foreach (var batch in loader.Epoch(epoch, cancellation))
            {
                if (step >= limit)
                {
                    batch.Dispose();
                    break;
                }
                using (batch)
                using (var scope = Torch.NewScope())
                {
                    Optimizer.LearningRateMultiplier = multiplier(step);
                    var x = augment(batch, step++);
                    var loss = Torch.CrossEntropy(Head.Forward(Encoder.Forward(x)), batch.Labels);
                    Optimizer.ZeroGrad();
                    loss.Backward();
                    Optimizer.Step();
                    var value = loss.Item();
                    if (!double.IsFinite(value)) throw new NonFiniteLossException(step - 1, $"the supervised loss is {value}", null);
                    sum += value;
                    count++;
                    onStep?.Invoke(epoch, step, value);
                }
            }
            losses.Add(count == 0 ? double.NaN : sum / count);
        }
        return losses;
    }

    /// <summary>Top-1/top-5 of encoder + head on <paramref name="data"/> (no augmentation, evaluation mode).</summary>
    public ClassificationScore Evaluate(IImageDataset data, int batchSize = 512)
    {
        using var features = FeatureExtractor.Extract(Encoder, data, batchSize);
        Head.Eval();
        using var noGrad = Torch.NoGrad();
        using var logits = Head.Forward(features.Features);
        Head.Train();
        return ClassificationScore.Of(logits, features.Labels);
    }

    public void Dispose()
    {
        Head.Dispose();
        Optimizer.Dispose();
    }
}
