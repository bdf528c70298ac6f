using ReLICv2.Nn;
using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// A linear classifier trained on frozen features (docs/method.md §7). Features are standardised with the training set's
/// statistics (an affine map, so the probe stays linear in the representation); the classifier is trained with SGD
/// Nesterov momentum, no weight decay, cosine learning-rate decay, on shuffled mini-batches from a seeded generator.
/// </summary>
public sealed class LinearProbe : IDisposable
{
    private readonly Tensor mean;
    private readonly Tensor std;

    private LinearProbe(Linear classifier, Tensor mean, Tensor std)
    {
        Classifier = classifier;
        this.mean = mean;
        this.std = std;
    }

    public Linear Classifier { get; }

    /// <summary>Trains a probe on <paramref name="train"/> with <paramref name="classes"/> outputs.</summary>
    public static LinearProbe Train(FeatureSet train, int classes, LinearProbeOptions? options = null, Action<int, double>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "LinearProbe: classes must be >= 2");
        options ??= new LinearProbeOptions();
        using var g = new Generator(options.Seed);
        var mean = train.Features.Mean(0, keepDim: true).DetachFromScope();
        var std = (train.Features.Std(0, unbiased: false, keepDim: true) + 1e-6).DetachFromScope();
        var probe = new LinearProbe(new Linear(train.Dimension, classes, g), mean, std);
        using var x = probe.Standardise(train.Features);
        using var optimizer = new Sgd(probe.Classifier.Parameters(), new SgdOptions(options.LearningRate, options.Momentum, nesterov: true));
        var n = train.Count;
        var perEpoch = (n + options.BatchSize - 1) / options.BatchSize;
        var schedule = new WarmupCosineSchedule(perEpoch * options.Epochs);
        long step = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            using var order = Torch.RandPerm(n, g);
            double sum = 0;
            for (long start = 0; start < n; start += options.BatchSize)
            {
                using var scope = Torch.NewScope();
                optimizer.LearningRateMultiplier = schedule.Multiplier(step++);
                var idx = order.Narrow(0, start, Math.Min(options.BatchSize, n - start));
                var loss = Torch.CrossEntropy(probe.Classifier.Forward(x.IndexSelect(0, idx)), train.Labels.IndexSelect(0, idx));
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
                sum += loss.Item();
            }
            onEpoch?.Invoke(epoch, sum / perEpoch);
        }
        return probe;
    }

    /// <summary>Class scores [N, C] of <paramref name="features"/>.</summary>
    public Tensor Logits(Tensor features)
    {
        using var noGrad = Torch.NoGrad();
        using var x = Standardise(features);
        return Classifier.Forward(x);
    }

    /// <summary>Top-1 and top-5 accuracy on <paramref name="test"/>.</summary>
    public ClassificationScore Score(FeatureSet test)
    {
        using var logits = Logits(test.Features);
        return ClassificationScore.Of(logits, test.Labels);
    }

    private Tensor Standardise(Tensor features)
    {
        using var centred = features - mean;
        return centred / std;
    }

    public void Dispose()
    {
        Classifier.Dispose();
        mean.Dispose();
        std.Dispose();
    }
}
