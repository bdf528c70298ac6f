using System.Globalization;
using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// The evaluation protocols applied to an existing run's encoder (docs/evaluation.md): semi-supervised fine-tuning on a
/// class-balanced label subset beside the same protocol from a random initialisation, and the linear probe / k-NN — on
/// the run's own dataset or, for transfer, on another one, its images brought to the channels and size the encoder was
/// pre-trained on (<see cref="AdaptedDataset"/>). The run's checkpoints are only read.
/// </summary>
public static class RunEvaluation
{
    /// <summary>The protocol name of fine-tuning on <paramref name="fraction"/> of the labels ("fine-tuned, 1 % labels", with
    /// <see cref="ExperimentRunner.TransferSuffix"/> for another dataset).</summary>
    public static string FineTuneProtocol(double fraction, DatasetKind? transferTo = null) =>
        $"fine-tuned, {(100 * fraction).ToString("0.###", CultureInfo.InvariantCulture)} % labels" + (transferTo is { } k ? ExperimentRunner.TransferSuffix(k) : "");

    /// <summary>
    /// Fine-tunes the run's pre-trained encoder (and, with <paramref name="randomInit"/>, a freshly initialised one) on
    /// <paramref name="fraction"/> of the training labels and scores both on the test split. The label subset is read from
    /// <paramref name="subsetPath"/> when given, else from the run directory's <c>labels-…json</c> for this dataset,
    /// split size, fraction and seed, which is drawn and saved on first use. The rows replace any of the same name in results.json,
    /// each written as soon as it is scored.
    /// </summary>
    /// <param name="runDirectory">A run directory (experiment.json and checkpoints/).</param>
    /// <param name="fraction">The labelled fraction of the training split, in (0, 1].</param>
    /// <param name="options">The protocol's settings; null: <see cref="FineTuningOptions.For"/>(fraction).</param>
    /// <param name="subsetPath">A label subset saved earlier, or null.</param>
    /// <param name="dataset">Another dataset to fine-tune and test on (transfer), or null for the run's own.</param>
    /// <param name="checkpoint">A checkpoint of the run (its name in checkpoints/ or a path), or null for the last one.</param>
    /// <param name="randomInit">Also run the protocol from a random initialisation.</param>
    /// <param name="callbacks">Progress display hooks.</param>
    /// <param name="cancellation">Stops between steps.</param>
    public static IReadOnlyList<AccuracyResult> FineTune(string runDirectory, double fraction, FineTuningOptions? options = null, string? subsetPath = null,
        DatasetSpec? dataset = null, string? checkpoint = null, bool randomInit = true, ExperimentCallbacks? callbacks = null, CancellationToken cancellation = default)
    {
        if (fraction is not (> 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "fine-tuning: fraction must be in (0, 1] (0.01 for 1 %)");
        options ??= FineTuningOptions.For(fraction);
        callbacks ??= ExperimentCallbacks.None;
        using var opened = Open(runDirectory, checkpoint, dataset, callbacks);
        var (experiment, run, train, test) = (opened.Experiment, opened.Run, opened.Train, opened.Test);
        var subset = Subset(run, train, fraction, experiment.Seed, subsetPath, dataset?.Kind ?? experiment.Dataset.Kind, callbacks);
        var protocol = FineTuneProtocol(fraction, dataset?.Kind);
        var note = $"{subset.Indices.Count} labelled images, {options.Epochs} epochs, lr head {options.HeadLearningRate.ToString("G3", CultureInfo.InvariantCulture)} / " +
                   $"encoder {options.EncoderLearningRate.ToString("G3", CultureInfo.InvariantCulture)}, weight decay {options.WeightDecay.ToString("G3", CultureInfo.InvariantCulture)}";
        var rows = new List<AccuracyResult>();

        callbacks.OnPhase?.Invoke($"{protocol}: pre-trained encoder");
        var encoder = opened.Trainer.Online.Encoder;
        // The fine-tuning loop runs on the CPU, like the supervised recipe; a GPU run's encoder comes back to it.
        if (encoder.Parameters().FirstOrDefault()?.Device is { } device && device != Device.Cpu) encoder.To(Device.Cpu);
        var score = FineTuning.Run(encoder, ((ResNet)encoder).OutputDim, train, subset, test, options, experiment.Seed, callbacks, cancellation);
        rows.Add(Record(run, new AccuracyResult(ExperimentRunner.Pretrained(experiment), protocol, score.Top1, score.Top5, note), callbacks));
        if (randomInit)
        {
            callbacks.OnPhase?.Invoke($"{protocol}: random init");
            using var init = new Generator(experiment.Seed + 1000);
            using var fresh = experiment.Encoder.Build(train.Channels, init);
            score = FineTuning.Run(fresh, fresh.OutputDim, train, subset, test, options, experiment.Seed, callbacks, cancellation);
            rows.Add(Record(run, new AccuracyResult(ExperimentRunner.RandomInit, protocol, score.Top1, score.Top5, note), callbacks));
        }
        return rows;
    }

    /// <summary>
    /// The run directory's label subset file for a dataset kind, a training split of <paramref name="count"/> images, a
    /// fraction and a seed (<c>labels-fashionmnist-n60000-0.01-seed1.json</c>).
    /// </summary>
    public static string SubsetPath(RunDirectory run, DatasetKind kind, int count, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Path.Combine(run.Root,
            $"labels-{kind.ToString().ToLowerInvariant()}-n{count}-{fraction.ToString("0.#####", CultureInfo.InvariantCulture)}-seed{seed}.json");
    }

    private static LabelSubset Subset(RunDirectory run, IImageDataset train, double fraction, ulong seed, string? given, DatasetKind kind,
        ExperimentCallbacks callbacks)
    {
        if (given is not null)
        {
            if (!File.Exists(given)) throw new FileNotFoundException($"label subset file '{given}' does not exist", given);
            var loaded = LabelSubset.Load(given).CheckFits(train.Count, "the training split");
            callbacks.OnMessage?.Invoke($"label subset: {loaded.Indices.Count} images from {given}");
            return loaded;
        }
        var path = SubsetPath(run, kind, train.Count, fraction, seed);
        if (File.Exists(path))
        {
            var saved = LabelSubset.Load(path).CheckFits(train.Count, "the training split");
            callbacks.OnMessage?.Invoke($"label subset: {saved.Indices.Count} images, reused from {path}");
            return saved;
        }
        var drawn = LabelSubset.Draw(train, fraction, seed);
        drawn.Save(path);
        callbacks.OnMessage?.Invoke($"label subset: {drawn.Indices.Count} class-balanced images drawn with seed {seed}, saved to {path}");
        return drawn;
    }

    private static AccuracyResult Record(RunDirectory run, AccuracyResult row, ExperimentCallbacks callbacks)
    {
        ResultsFile.Put(run, row);
        callbacks.OnMessage?.Invoke($"{row.Encoder}, {row.Protocol}: top-1 {row.Top1:P2}");
        return row;
    }

    /// <summary>
    /// The run's experiment, its encoders restored from <paramref name="checkpoint"/> (null: the last), and the train/test
    /// splits: the run's own, or those of <paramref name="dataset"/> adapted to the run's image shape.
    /// </summary>
    internal static OpenedRun Open(string runDirectory, string? checkpoint, DatasetSpec? dataset, ExperimentCallbacks callbacks)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        var run = new RunDirectory(runDirectory);
        if (!File.Exists(run.Experiment)) throw new FileNotFoundException($"'{run.Root}' is not a run directory: it has no experiment.json", run.Experiment);
        var experiment = Experiment.Load(run.Experiment);
        var path = checkpoint is null ? Path.Combine(run.Checkpoints, "last")
            : File.Exists(Checkpoint.SidecarPath(checkpoint)) ? checkpoint : Path.Combine(run.Checkpoints, checkpoint);
        if (!File.Exists(Checkpoint.SidecarPath(path)))
            throw new FileNotFoundException(checkpoint is null ? $"run '{run.Root}' has no checkpoint yet" : $"checkpoint '{checkpoint}' is neither a checkpoint path nor one of {run.Checkpoints}",
                Checkpoint.SidecarPath(path));
        callbacks.OnPhase?.Invoke("loading data");
        var (train, test) = experiment.Dataset.Load();
        if (dataset is not null)
        {
            var (otherTrain, otherTest) = dataset.Load();
            callbacks.OnMessage?.Invoke($"transfer to {dataset.Kind}: {otherTrain.Channels}×{otherTrain.Height}×{otherTrain.Width} images brought to the encoder's " +
                                        $"{train.Channels}×{train.Height}×{train.Width}");
            (train, test) = (AdaptedDataset.To(otherTrain, train.Channels, train.Height, train.Width), AdaptedDataset.To(otherTest, train.Channels, train.Height, train.Width));
        }
        using var saved = Checkpoint.Load(path);
        var trainer = ExperimentRunner.Build(experiment, train.Channels, Math.Max(1, train.Count / experiment.BatchSize), 1, runDirectory: null);
        try
        {
            trainer.Resume(saved);
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
        callbacks.OnMessage?.Invoke($"encoder of step {trainer.StepsDone} from {path}");
        return new OpenedRun(experiment, run, trainer, train, test);
    }

    /// <summary>A run opened for evaluation; disposing it frees the restored networks.</summary>
    internal sealed record OpenedRun(Experiment Experiment, RunDirectory Run, Pretrainer Trainer, IImageDataset Train, IImageDataset Test) : IDisposable
    {
        public void Dispose() => Trainer.Dispose();
    }
}
