using ReLICv2.Data;

namespace ReLICv2.Experiments;

/// <summary><c>experiment.Run(dir)</c>: an experiment value run end to end (see <see cref="ExperimentRunner"/>).</summary>
public static class ExperimentRuns
{
    /// <summary>Runs <paramref name="experiment"/> into <paramref name="runDirectory"/> (see <see cref="ExperimentRunner.Run"/>).</summary>
    public static ExperimentResult Run(this Experiment experiment, string runDirectory, bool resume = false, ExperimentCallbacks? callbacks = null,
        CancellationToken cancellation = default) =>
        ExperimentRunner.Run(experiment, runDirectory, resume, callbacks, cancellation);

    /// <summary>
    /// Runs <paramref name="experiment"/> on train and test splits built by the caller — any <see cref="IImageDataset"/>
    /// pair of one image size and class list, e.g. an <see cref="InMemoryImageDataset"/> made in F# — instead of loading its
    /// dataset field (whose mask source and unreadable-file limit still apply). See <see cref="ExperimentRunner.Run"/>.
    /// </summary>
    public static ExperimentResult Run(this Experiment experiment, IImageDataset train, IImageDataset test, string runDirectory, bool resume = false,
        ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default) =>
        ExperimentRunner.Run(experiment, runDirectory, resume, callbacks, cancellation, data: (train, test));
}
