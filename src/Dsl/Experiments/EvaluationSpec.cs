namespace ReLICv2.Experiments;

/// <summary>
/// Evaluation after pre-training (METHOD.md §7): linear probe epochs and learning rate, k-NN k and τ, and the two
/// baselines every result is shown beside — the same probe on a random-init encoder, and a supervised encoder trained
/// with labels under the same augmentation and epoch budget.
/// </summary>
public sealed record EvaluationSpec
{
    public EvaluationSpec(int probeEpochs = 40, double probeLearningRate = 0.5, int knnK = 20, double knnTemperature = 0.07,
        bool randomInitBaseline = true, bool supervisedBaseline = true, int? supervisedEpochs = null)
    {
        ProbeEpochs = probeEpochs >= 1 ? probeEpochs : throw new ArgumentOutOfRangeException(nameof(probeEpochs), probeEpochs, "EvaluationSpec.ProbeEpochs must be >= 1");
        ProbeLearningRate = probeLearningRate is > 0 and < double.PositiveInfinity ? probeLearningRate
            : throw new ArgumentOutOfRangeException(nameof(probeLearningRate), probeLearningRate, "EvaluationSpec.ProbeLearningRate must be finite and > 0");
        KnnK = knnK >= 1 ? knnK : throw new ArgumentOutOfRangeException(nameof(knnK), knnK, "EvaluationSpec.KnnK must be >= 1");
        KnnTemperature = knnTemperature > 0 ? knnTemperature : throw new ArgumentOutOfRangeException(nameof(knnTemperature), knnTemperature, "EvaluationSpec.KnnTemperature must be > 0");
        RandomInitBaseline = randomInitBaseline;
        SupervisedBaseline = supervisedBaseline;
        SupervisedEpochs = supervisedEpochs is null or >= 1 ? supervisedEpochs
            : throw new ArgumentOutOfRangeException(nameof(supervisedEpochs), supervisedEpochs, "EvaluationSpec.SupervisedEpochs must be >= 1 (null: the pre-training epochs)");
    }

    public int ProbeEpochs { get; }

    public double ProbeLearningRate { get; }

    public int KnnK { get; }

    public double KnnTemperature { get; }

    public bool RandomInitBaseline { get; }

    public bool SupervisedBaseline { get; }

    /// <summary>Epochs of the supervised baseline; null uses the pre-training epochs (the same budget).</summary>
    public int? SupervisedEpochs { get; }
}
