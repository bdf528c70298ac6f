namespace ReLICv2.Experiments;

/// <summary><c>experiment.Run(dir)</c>: an experiment value run end to end (see <see cref="ExperimentRunner"/>).</summary>
public static class ExperimentRuns
{
    /// <summary>Runs <paramref name="experiment"/> into <paramref name="runDirectory"/> (see <see cref="ExperimentRunner.Run"/>).</summary>
    public static ExperimentResult Run(this Experiment experiment, string runDirectory, bool resume = false, ExperimentCallbacks? callbacks = null,
        CancellationToken cancellation = default) =>
        ExperimentRunner.Run(experiment, runDirectory, resume, callbacks, cancellation);
}
