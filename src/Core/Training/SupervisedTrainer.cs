using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// The supervised baseline: the same encoder, trained end to end with a linear classifier and cross-entropy on labels,
/// with the same augmentation (one view per image per step) and the same epoch budget as pre-training, so that a
/// self-supervised result is always shown beside what labels would give.
/// </summary>
public sealed class SupervisedTrainer : IDisposable
{
    public SupervisedTrainer(Module encoder, long featureDim, int classes, Func<IReadOnlyList<Tensor>, Optimizer> optimizer, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Head = new Linear(featureDim, classes, generator);
        Optimizer = optimizer([.. encoder.Parameters(), .. Head.Parameters()]);
        Classes = classes;
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
        ArgumentNullException.ThrowIfNull(augment);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "SupervisedTrainer: epochs must be >= 1");
        schedule ??= new WarmupCosineSchedule((long)loader.BatchesPerEpoch * epochs);
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
                    Optimizer.LearningRateMultiplier = schedule.Multiplier(step);
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
