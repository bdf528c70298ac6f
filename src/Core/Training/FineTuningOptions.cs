namespace ReLICv2.Training;

/// <summary>
/// Semi-supervised fine-tuning (docs/evaluation.md §1, the protocol of the paper's appendix B.2 scaled to small images and
/// one CPU): the whole encoder and a new linear head trained with cross-entropy on a labelled subset, SGD with Nesterov
/// momentum, the head and the encoder with learning rates of their own (the head's far higher), both multiplied by
/// <see cref="DecayFactor"/> at <see cref="FirstMilestone"/> and <see cref="SecondMilestone"/> of training (step decay), random resized crops of area
/// [<see cref="CropMinArea"/>, 1] and horizontal flips; weight decay on every parameter or none.
/// </summary>
public sealed record FineTuningOptions
{
    /// <summary>Creates the options; every value is range-checked.</summary>
    public FineTuningOptions(int epochs, int batchSize, double headLearningRate, double encoderLearningRate, double weightDecay,
        double momentum = 0.9, double decayFactor = 0.2, double firstMilestone = 0.6, double secondMilestone = 0.8, double cropMinArea = 0.25)
    {
        Epochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "FineTuningOptions.Epochs must be >= 1");
        BatchSize = batchSize >= 2 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "FineTuningOptions.BatchSize must be >= 2 (batch norm trains on it)");
        HeadLearningRate = Positive(headLearningRate, nameof(HeadLearningRate));
        EncoderLearningRate = Positive(encoderLearningRate, nameof(EncoderLearningRate));
        WeightDecay = weightDecay is >= 0 and < double.PositiveInfinity ? weightDecay
            : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "FineTuningOptions.WeightDecay must be finite and >= 0");
        Momentum = momentum is > 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "FineTuningOptions.Momentum must be in (0, 1) (Nesterov momentum)");
        DecayFactor = decayFactor is > 0 and <= 1 ? decayFactor : throw new ArgumentOutOfRangeException(nameof(decayFactor), decayFactor, "FineTuningOptions.DecayFactor must be in (0, 1]");
        FirstMilestone = firstMilestone is > 0 and < 1 ? firstMilestone
            : throw new ArgumentOutOfRangeException(nameof(firstMilestone), firstMilestone, "FineTuningOptions.FirstMilestone must be in (0, 1) (a fraction of training)");
        SecondMilestone = secondMilestone > firstMilestone && secondMilestone < 1 ? secondMilestone
            : throw new ArgumentOutOfRangeException(nameof(secondMilestone), secondMilestone, $"FineTuningOptions.SecondMilestone must be in ({firstMilestone}, 1) (after the first milestone)");
        CropMinArea = cropMinArea is > 0 and <= 1 ? cropMinArea : throw new ArgumentOutOfRangeException(nameof(cropMinArea), cropMinArea, "FineTuningOptions.CropMinArea must be in (0, 1]");
    }

    /// <summary>
    /// The defaults for a labelled <paramref name="fraction"/>: the 1 % protocol (no weight decay) up to 5 %, the 10 %
    /// protocol (weight decay 1e-4) above — 30 epochs of batches of 64, head 0.5 / encoder 0.02 at 1 %, head 0.2 /
    /// encoder 0.02 at 10 % (docs/evaluation.md §1 says what was scaled from the paper and why).
    /// </summary>
    public static FineTuningOptions For(double fraction) =>
        fraction is > 0 and <= 1
            ? fraction <= 0.05 ? new FineTuningOptions(30, 64, 0.5, 0.02, 0) : new FineTuningOptions(30, 64, 0.2, 0.02, 1e-4)
            : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "FineTuningOptions.For: fraction must be in (0, 1]");

    /// <summary>Passes over the labelled subset.</summary>
    public int Epochs { get; }

    /// <summary>Images per step (the last partial batch of an epoch is dropped, as in pre-training).</summary>
    public int BatchSize { get; }

    /// <summary>Base learning rate of the new linear head.</summary>
    public double HeadLearningRate { get; }

    /// <summary>Base learning rate of the pre-trained encoder.</summary>
    public double EncoderLearningRate { get; }

    /// <summary>L2 weight decay on every parameter (0 at 1 %, the paper's protocol).</summary>
    public double WeightDecay { get; }

    /// <summary>Nesterov momentum.</summary>
    public double Momentum { get; }

    /// <summary>The learning rates' factor at each milestone.</summary>
    public double DecayFactor { get; }

    /// <summary>The first milestone as a fraction of the steps.</summary>
    public double FirstMilestone { get; }

    /// <summary>The second milestone as a fraction of the steps.</summary>
    public double SecondMilestone { get; }

    /// <summary>Smallest area of the random resized crops; 1 leaves flips only.</summary>
    public double CropMinArea { get; }

    /// <summary>The step-decay schedule for <paramref name="totalSteps"/> steps (milestones at least one step apart).</summary>
    public Optim.StepDecaySchedule Schedule(long totalSteps)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "FineTuningOptions.Schedule: totalSteps must be >= 1");
        var first = Math.Max(1, (long)Math.Round(FirstMilestone * totalSteps));
        var second = Math.Max(first + 1, (long)Math.Round(SecondMilestone * totalSteps));
        return new Optim.StepDecaySchedule([first, second], DecayFactor);
    }

    private static double Positive(double value, string name) => value is > 0 and < double.PositiveInfinity ? value
        : throw new ArgumentOutOfRangeException(name, value, $"FineTuningOptions.{name} must be finite and > 0");
}
