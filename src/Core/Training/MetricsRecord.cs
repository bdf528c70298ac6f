namespace ReLICv2.Training;

/// <summary>
/// One line of a run's <c>metrics.jsonl</c>: the state of pre-training after an optimiser step.
/// <see cref="Terms"/> holds the objective's named terms (e.g. "contrastive", "invariance") besides the total <see cref="Loss"/>.
/// </summary>
public sealed record MetricsRecord(
    long Step,
    int Epoch,
    double Loss,
    IReadOnlyDictionary<string, double> Terms,
    double LearningRate,
    double? EmaDecay,
    double ImagesPerSecond,
    double ElapsedSeconds)
{
    public bool Equals(MetricsRecord? other) =>
        other is not null && Step == other.Step && Epoch == other.Epoch && Loss.Equals(other.Loss) &&
        LearningRate.Equals(other.LearningRate) && EmaDecay.Equals(other.EmaDecay) &&
        ImagesPerSecond.Equals(other.ImagesPerSecond) && ElapsedSeconds.Equals(other.ElapsedSeconds) &&
        Terms.Count == other.Terms.Count && Terms.All(kv => other.Terms.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));

    public override int GetHashCode() => HashCode.Combine(Step, Epoch, Loss, LearningRate, EmaDecay, Terms.Count);
}
