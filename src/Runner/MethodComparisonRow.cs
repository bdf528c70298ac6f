namespace ReLICv2.Experiments;

/// <summary>
/// One method's line in a comparison at equal pre-training budget (<see cref="MethodComparison"/>): the linear-probe and
/// k-NN top-1 of its online encoder and, for a method with an EMA target, of the target's encoder (null where not
/// evaluated), the steps its budget allowed, its median throughput and its mean seconds per step.
/// </summary>
/// <param name="Method">The method's identifier (<see cref="Experiment.Method"/>).</param>
/// <param name="MethodName">The method's name as results show it.</param>
/// <param name="Run">The run directory.</param>
/// <param name="ProbeTop1">Linear-probe top-1 of the online encoder, in [0, 1].</param>
/// <param name="KnnTop1">k-NN top-1 of the online encoder.</param>
/// <param name="TargetProbeTop1">Linear-probe top-1 of the EMA target's encoder.</param>
/// <param name="TargetKnnTop1">k-NN top-1 of the EMA target's encoder.</param>
/// <param name="Steps">Pre-training steps done.</param>
/// <param name="Seconds">Wall-clock seconds of pre-training.</param>
/// <param name="ImagesPerSecond">Median images per second over the logged steps.</param>
/// <param name="SecondsPerStep">Seconds per step: <paramref name="Seconds"/> / <paramref name="Steps"/>.</param>
/// <param name="BudgetMinutes">The pre-training budget the run was planned for (null: none).</param>
public sealed record MethodComparisonRow(string Method, string MethodName, string Run, double? ProbeTop1, double? KnnTop1,
    double? TargetProbeTop1, double? TargetKnnTop1, long Steps, double Seconds, double ImagesPerSecond, double SecondsPerStep, double? BudgetMinutes);
