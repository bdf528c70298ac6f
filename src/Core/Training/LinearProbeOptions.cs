namespace ReLICv2.Training;

/// <summary>
/// The linear evaluation protocol (docs/method.md §7): SGD with Nesterov momentum 0.9, no weight decay, cosine-decayed
/// learning rate, on cached frozen features standardised with the training set's per-dimension mean and deviation.
/// </summary>
public sealed record LinearProbeOptions
{
    public LinearProbeOptions(int epochs = 40, double learningRate = 0.5, int batchSize = 256, double momentum = 0.9, ulong seed = 0)
    {
        Epochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "LinearProbeOptions.Epochs must be >= 1");
        LearningRate = learningRate is > 0 and < double.PositiveInfinity ? learningRate
            : throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "LinearProbeOptions.LearningRate must be finite and > 0");
        BatchSize = batchSize >= 1 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "LinearProbeOptions.BatchSize must be >= 1");
        Momentum = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "LinearProbeOptions.Momentum must be in [0, 1)");
        Seed = seed;
    }

    public int Epochs { get; }

    public double LearningRate { get; }

    public int BatchSize { get; }

    public double Momentum { get; }

    public ulong Seed { get; }
}
