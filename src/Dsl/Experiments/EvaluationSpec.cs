namespace ReLICv2.Experiments;

/// <summary>
/// Evaluation after pre-training (docs/method.md §7): linear probe epochs and learning rate, k-NN k and τ, and the two
/// baselines every result is shown beside — the same probe on a random-init encoder, and the same encoder trained with
/// labels under a standard supervised recipe (docs/evaluation.md §2: crop and flip, Nesterov SGD, cosine schedule, weight
/// decay, the learning rate picked by a sweep of <see cref="SupervisedLearningRate"/> ÷ and × <see cref="SupervisedSweepFactor"/>
/// on a held-out tenth of the training split) for the wall-clock of pre-training + probe and, when
/// <see cref="SupervisedEpochs"/> is set, for that many epochs as a reference. The probe trains on the plain training set plus
/// <see cref="ProbeAugmentedCopies"/> cached crop-and-flip copies of it (docs/method.md §7's spatial augmentation, computed
/// once so the frozen encoder runs once per copy rather than once per probe epoch) and tests on plain images.
/// With <see cref="EvaluateTarget"/> the EMA target's encoder is scored too, beside the online one.
/// </summary>
public sealed record EvaluationSpec
{
    public EvaluationSpec(int probeEpochs = 40, double probeLearningRate = 0.5, int knnK = 20, double knnTemperature = 0.07,
        bool randomInitBaseline = true, bool supervisedBaseline = true, int? supervisedEpochs = null, int probeAugmentedCopies = 4,
        double probeCropMinArea = 0.5, bool evaluateTarget = false, double supervisedLearningRate = 0.1, double supervisedSweepFactor = 3,
        int supervisedSweepEpochs = 1)
    {
        ProbeEpochs = probeEpochs >= 1 ? probeEpochs : throw new ArgumentOutOfRangeException(nameof(probeEpochs), probeEpochs, "EvaluationSpec.ProbeEpochs must be >= 1");
        ProbeLearningRate = probeLearningRate is > 0 and <= OptimizerSpec.MaxLearningRate ? probeLearningRate
            : throw new ArgumentOutOfRangeException(nameof(probeLearningRate), probeLearningRate, $"EvaluationSpec.ProbeLearningRate must be in (0, {OptimizerSpec.MaxLearningRate}]");
        KnnK = knnK >= 1 ? knnK : throw new ArgumentOutOfRangeException(nameof(knnK), knnK, "EvaluationSpec.KnnK must be >= 1");
        KnnTemperature = knnTemperature > 0 ? knnTemperature : throw new ArgumentOutOfRangeException(nameof(knnTemperature), knnTemperature, "EvaluationSpec.KnnTemperature must be > 0");
        RandomInitBaseline = randomInitBaseline;
        SupervisedBaseline = supervisedBaseline;
        SupervisedEpochs = supervisedEpochs is null or >= 1 ? supervisedEpochs
            : throw new ArgumentOutOfRangeException(nameof(supervisedEpochs), supervisedEpochs, "EvaluationSpec.SupervisedEpochs must be >= 1 (null: no reference in the run)");
        ProbeAugmentedCopies = probeAugmentedCopies is >= 0 and <= 64 ? probeAugmentedCopies
            : throw new ArgumentOutOfRangeException(nameof(probeAugmentedCopies), probeAugmentedCopies, "EvaluationSpec.ProbeAugmentedCopies must be in [0, 64] (0: the probe trains on plain images only)");
        ProbeCropMinArea = probeCropMinArea is > 0 and <= 1 ? probeCropMinArea
            : throw new ArgumentOutOfRangeException(nameof(probeCropMinArea), probeCropMinArea, "EvaluationSpec.ProbeCropMinArea must be in (0, 1]");
        EvaluateTarget = evaluateTarget;
        SupervisedLearningRate = supervisedLearningRate is > 0 and <= 100 ? supervisedLearningRate
            : throw new ArgumentOutOfRangeException(nameof(supervisedLearningRate), supervisedLearningRate, "EvaluationSpec.SupervisedLearningRate must be in (0, 100]");
        SupervisedSweepFactor = supervisedSweepFactor is >= 1 and <= 100 ? supervisedSweepFactor
            : throw new ArgumentOutOfRangeException(nameof(supervisedSweepFactor), supervisedSweepFactor, "EvaluationSpec.SupervisedSweepFactor must be in [1, 100] (1: no sweep)");
        SupervisedSweepEpochs = supervisedSweepEpochs is >= 1 and <= 1000 ? supervisedSweepEpochs
            : throw new ArgumentOutOfRangeException(nameof(supervisedSweepEpochs), supervisedSweepEpochs, "EvaluationSpec.SupervisedSweepEpochs must be in [1, 1000]");
    }

    /// <summary>Epochs of the supervised reference <c>relic supervised</c> trains when <see cref="SupervisedEpochs"/> is null.</summary>
    public const int DefaultSupervisedEpochs = 30;

    public int ProbeEpochs { get; }

    public double ProbeLearningRate { get; }

    public int KnnK { get; }

    public double KnnTemperature { get; }

    public bool RandomInitBaseline { get; }

    public bool SupervisedBaseline { get; }

    /// <summary>
    /// Epochs of the supervised reference trained to convergence. A run trains the reference after the same-time row only
    /// when this is set; null leaves it to <c>relic supervised --run-dir</c>, which trains <see cref="DefaultSupervisedEpochs"/>
    /// (the reference does not depend on the pre-trained encoder, so one serves every run of a dataset and encoder).
    /// </summary>
    public int? SupervisedEpochs { get; }

    /// <summary>The middle learning rate of the supervised recipe's sweep, at batch 256 (scaled linearly with the batch size).</summary>
    public double SupervisedLearningRate { get; }

    /// <summary>The sweep tries the learning rate divided by, equal to and multiplied by this factor (1: no sweep).</summary>
    public double SupervisedSweepFactor { get; }

    /// <summary>Epochs of each sweep run on the training split less its held-out tenth.</summary>
    public int SupervisedSweepEpochs { get; }

    /// <summary>Augmented copies of the training set the linear probe trains on besides the plain images (0–64).</summary>
    public int ProbeAugmentedCopies { get; }

    /// <summary>Smallest crop area (fraction of the image) of the probe's random resized crops; 1 leaves flips only.</summary>
    public double ProbeCropMinArea { get; }

    /// <summary>
    /// Also score the EMA target's encoder (an exponential moving average of the online encoder's weights and, by
    /// default, its batch-norm statistics) with the same probe and k-NN, as a row of its own beside the online encoder;
    /// needs an EMA target (<see cref="Training.TargetMode.Ema"/>). DINO reports its EMA teacher the same way.
    /// </summary>
    public bool EvaluateTarget { get; }
}
