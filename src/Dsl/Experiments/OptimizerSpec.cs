namespace ReLICv2.Experiments;

/// <summary>
/// Optimiser and learning-rate schedule (docs/method.md §6): base learning rate (per 256 images when
/// <see cref="ScaleWithBatch"/>), momentum, weight decay, linear warm-up epochs then cosine decay to 0.
/// </summary>
public sealed record OptimizerSpec
{
    public OptimizerSpec(OptimizerKind kind = OptimizerKind.Lars, double learningRate = 0.2, double momentum = 0.9, double weightDecay = 1.5e-6,
        double warmupEpochs = 10, bool scaleWithBatch = true)
    {
        Kind = Enum.IsDefined(kind) ? kind
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"OptimizerSpec.Kind must be one of {string.Join(", ", Enum.GetNames<OptimizerKind>())}");
        // Bounded far above any rate that trains (the presets use 0.2–4.8; a diverging run can still be provoked on
        // purpose) and so that the rate times the batch scaling stays a float32 number, which libtorch applies it as.
        LearningRate = learningRate is > 0 and <= MaxLearningRate ? learningRate
            : throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"OptimizerSpec.LearningRate must be in (0, {MaxLearningRate}]");
        Momentum = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "OptimizerSpec.Momentum must be in [0, 1)");
        WeightDecay = weightDecay is >= 0 and < double.PositiveInfinity ? weightDecay
            : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "OptimizerSpec.WeightDecay must be finite and >= 0");
        WarmupEpochs = warmupEpochs is >= 0 and < double.PositiveInfinity ? warmupEpochs
            : throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "OptimizerSpec.WarmupEpochs must be finite and >= 0");
        ScaleWithBatch = scaleWithBatch;
    }

    /// <summary>The largest learning rate accepted (per 256 images when scaled with the batch).</summary>
    public const double MaxLearningRate = 1e30;

    public OptimizerKind Kind { get; }

    public double LearningRate { get; }

    public double Momentum { get; }

    public double WeightDecay { get; }

    public double WarmupEpochs { get; }

    public bool ScaleWithBatch { get; }
}
