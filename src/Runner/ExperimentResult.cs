using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>What <see cref="ExperimentRunner.Run"/> produced: the pre-training outcome, the accuracy table and where the run lives.</summary>
public sealed record ExperimentResult(Experiment Experiment, RunDirectory Run, PretrainingResult Pretraining, IReadOnlyList<AccuracyResult> Accuracies)
{
    /// <summary>
    /// Image files of the train and test splits that could not be decoded and were skipped (also listed in the run
    /// directory's unreadable.txt); a run stops once more than dataset.maxUnreadableFraction of a split is unreadable.
    /// </summary>
    public IReadOnlyList<string> UnreadableFiles { get; init; } = [];

    /// <summary>The row of <paramref name="encoder"/> under <paramref name="protocol"/>, or null.</summary>
    public AccuracyResult? Find(string encoder, string protocol) =>
        Accuracies.FirstOrDefault(a => a.Encoder == encoder && a.Protocol == protocol);

    /// <summary>The row of the method's online encoder under <paramref name="protocol"/> (<see cref="ExperimentRunner.Pretrained"/>), or null.</summary>
    public AccuracyResult? FindPretrained(string protocol) => Find(ExperimentRunner.Pretrained(Experiment), protocol);

    /// <summary>The row of the method's EMA target encoder under <paramref name="protocol"/> (<see cref="ExperimentRunner.PretrainedTarget"/>), or null.</summary>
    public AccuracyResult? FindTarget(string protocol) => Find(ExperimentRunner.PretrainedTarget(Experiment), protocol);
}
