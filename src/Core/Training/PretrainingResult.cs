namespace ReLICv2.Training;

/// <summary>What <see cref="Pretrainer.Run"/> did: steps done of the planned total, whether it was cancelled, the last metrics and checkpoint.</summary>
public sealed record PretrainingResult(long StepsDone, long TotalSteps, bool Cancelled, MetricsRecord? Last, string? CheckpointPath, double Seconds);
