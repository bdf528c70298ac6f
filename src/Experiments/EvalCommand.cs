using System.CommandLine;
using System.Globalization;
using ReLICv2.Experiments.Cli;
using ReLICv2.Training;
using ReLICv2.Vision;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic eval linear|knn|finetune</c>: evaluates a run's pre-trained encoder (its last checkpoint or <c>--checkpoint</c>)
/// with the linear probe, k-NN or semi-supervised fine-tuning of docs/evaluation.md, on the run's own dataset or another
/// one (<c>--dataset</c>, transfer); <c>relic eval robustness --run-dir DIR</c>: the robustness protocol of
/// docs/method.md §7.1; <c>relic supervised</c>: trains and scores the supervised reference of an experiment.
/// </summary>
public static class EvalCommand
{
    public static Command Build()
    {
        var command = new Command("eval", "Evaluate a run's pre-trained encoder: linear probe, k-NN, semi-supervised fine-tuning (on its dataset or another) or robustness to corruptions.");
        foreach (var (name, probe, knn, what) in new[] { ("linear", true, false, "the linear probe"), ("knn", false, true, "weighted k-NN (k 20, τ 0.07)") })
        {
            var source = new SourceOptions();
            var sub = new Command(name, $"Score a run's encoder with {what} on the test set (printed; the run directory is not changed).");
            source.AddTo(sub);
            sub.SetAction(parse => Guard($"eval {name}", () =>
            {
                var (runDir, checkpoint, dataset) = source.Resolve(parse);
                var rows = ExperimentRunner.EvaluateRun(runDir, probe, knn, new ConsoleCallbacks().Callbacks, dataset, checkpoint);
                PretrainCommand.PrintTable(rows, Console.IsOutputRedirected);
            }));
            command.Add(sub);
        }
        command.Add(BuildFineTune());
        command.Add(BuildRobustness());
        return command;
    }

    /// <summary>
    /// <c>relic eval robustness --run-dir DIR [--corruptions a,b] [--seed N]</c>: the robustness protocol of docs/method.md §7.1 —
    /// the linear probe trained on clean features, scored on corrupted copies of the test split at five severities — written
    /// into the run's results.json and report.
    /// </summary>
    private static Command BuildRobustness()
    {
        var runDir = new Option<DirectoryInfo>("--run-dir") { Description = "The run directory (experiment.json and checkpoints/).", Required = true };
        var corruptions = new Option<string?>("--corruptions")
        {
            Description = $"Comma-separated corruptions (default all): {string.Join(", ", Corruptions.All.Select(Corruptions.Name))}.",
        };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the corruptions' noise, rotation signs and textures (default: the experiment's)." };
        var encoders = new Option<string?>("--encoders")
        {
            Description = $"Comma-separated encoders to score, each with a probe on its own clean features (default online): {string.Join(", ", ExperimentRunner.RobustnessEncoders)}; " +
                          "supervised needs `relic supervised --run-dir` first.",
        };
        var sub = new Command("robustness",
            "Score a run's encoder with its linear probe (trained on clean features) on corrupted copies of the test set: 7 corruptions and a background shift at 5 severities.")
        {
            runDir, corruptions, seed, encoders,
        };
        sub.SetAction(parse =>
        {
            try
            {
                var chosen = parse.GetValue(corruptions) is { } list
                    ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Corruptions.Parse).ToArray()
                    : null;
                var dir = parse.GetValue(runDir)!.FullName;
                var which = parse.GetValue(encoders)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var rows = ExperimentRunner.EvaluateRobustness(dir, chosen, new ConsoleCallbacks().Callbacks, seed: parse.GetValue(seed), encoders: which);
                foreach (var group in rows.GroupBy(r => r.Encoder))
                {
                    Console.WriteLine(group.Key);
                    PrintRobustness(group.ToList());
                }
                Console.WriteLine($"report: {Reports.HtmlReport.Write(new RunDirectory(dir))}");
                return 0;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"relic eval robustness: {Experiment.OneLine(e)}");
                return 2;
            }
        });
        return sub;
    }

    /// <summary>The robustness rows as a corruption × severity table of top-1 accuracies, then the mean corruption accuracy.</summary>
    private static void PrintRobustness(IReadOnlyList<AccuracyResult> rows)
    {
        static string Pct(double v) => (v * 100).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine($"{"corruption",-18} {string.Join(" ", Enumerable.Range(0, Corruptions.MaxSeverity + 1).Select(s => $"{(s == 0 ? "clean" : $"s{s}"),7}"))}");
        var clean = rows.FirstOrDefault(r => r.Corruption == RobustnessEvaluation.Clean);
        foreach (var group in rows.Where(r => r.Corruption is not (RobustnessEvaluation.Clean or RobustnessEvaluation.Mean or null)).GroupBy(r => r.Corruption))
        {
            var cells = Enumerable.Range(0, Corruptions.MaxSeverity + 1).Select(s =>
                (s == 0 ? clean : group.FirstOrDefault(r => r.Severity == s)) is { } r ? Pct(r.Top1) : "–");
            Console.WriteLine($"{group.Key,-18} {string.Join(" ", cells.Select(c => $"{c,7}"))}");
        }
        if (rows.FirstOrDefault(r => r.Corruption == RobustnessEvaluation.Mean) is { } mean)
            Console.WriteLine($"mean corruption accuracy: {Pct(mean.Top1)} % (clean {(clean is null ? "–" : Pct(clean.Top1))} %)");
    }


    private static Command BuildFineTune()
    {
        var source = new SourceOptions();
        var fraction = new Option<double>("--fraction") { Description = "The labelled fraction of the training split: 0.01 (1 %) or 0.1 (10 %), any value in (0, 1].", DefaultValueFactory = _ => 0.01 };
        var subset = new Option<FileInfo?>("--subset") { Description = "A label subset JSON saved by an earlier fine-tuning (default: the run directory's one for this dataset, fraction and seed, drawn on first use)." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs over the labelled subset (default 30)." };
        var batch = new Option<int?>("--batch-size") { Description = "Images per step (default 64)." };
        var headLr = new Option<double?>("--head-lr") { Description = "Learning rate of the new linear head (default 0.5 at 1 %, 0.2 at 10 %)." };
        var encoderLr = new Option<double?>("--encoder-lr") { Description = "Learning rate of the encoder (default 0.02)." };
        var decay = new Option<double?>("--weight-decay") { Description = "Weight decay (default 0 up to 5 % labels, 1e-4 above)." };
        var noRandom = new Option<bool>("--no-random-init") { Description = "Skip the same protocol from a random initialisation." };
        var sub = new Command("finetune", "Fine-tune a run's encoder and a new linear head on a class-balanced label subset (semi-supervised protocol), " +
                                          "beside the same protocol from a random initialisation; rows go to the run's results.json.")
            { fraction, subset, epochs, batch, headLr, encoderLr, decay, noRandom };
        source.AddTo(sub);
        sub.SetAction(parse => Guard("eval finetune", () =>
        {
            var (runDir, checkpoint, dataset) = source.Resolve(parse);
            var f = parse.GetValue(fraction);
            if (f is not (> 0 and <= 1)) throw new ArgumentException($"--fraction must be in (0, 1] (0.01 for 1 %), got {f.ToString(CultureInfo.InvariantCulture)}");
            var d = FineTuningOptions.For(f);
            var options = new FineTuningOptions(parse.GetValue(epochs) ?? d.Epochs, parse.GetValue(batch) ?? d.BatchSize, parse.GetValue(headLr) ?? d.HeadLearningRate,
                parse.GetValue(encoderLr) ?? d.EncoderLearningRate, parse.GetValue(decay) ?? d.WeightDecay, d.Momentum, d.DecayFactor, d.FirstMilestone, d.SecondMilestone, d.CropMinArea);
            var rows = RunEvaluation.FineTune(runDir, f, options, parse.GetValue(subset)?.FullName, dataset, checkpoint, !parse.GetValue(noRandom),
                new ConsoleCallbacks().Callbacks);
            PretrainCommand.PrintTable(rows, Console.IsOutputRedirected);
        }));
        return sub;
    }

    public static Command BuildSupervised()
    {
        var options = new ExperimentOptions();
        var runDir = new Option<DirectoryInfo?>("--run-dir")
        {
            Description = "A run directory: its experiment (unless --preset or --config is given) is trained with labels and the row is added to its results.json.",
        };
        var command = new Command("supervised", "Train the experiment's encoder with labels under the supervised recipe (learning-rate sweep, then " +
                                                $"evaluation.supervisedEpochs epochs, {EvaluationSpec.DefaultSupervisedEpochs} when unset) and score it: the supervised reference.") { runDir };
        options.AddTo(command);
        command.SetAction(parse => Guard("supervised", () =>
        {
            var dir = parse.GetValue(runDir);
            var run = dir is null ? null : new RunDirectory(dir.FullName);
            Experiment experiment;
            if (run is not null && parse.GetValue(options.Preset) is null && parse.GetValue(options.Config) is null)
            {
                if (!File.Exists(run.Experiment)) throw new ArgumentException($"--run-dir: '{run.Root}' is not a run directory (it has no experiment.json)");
                experiment = options.ApplySets(Experiment.Load(run.Experiment), parse);
            }
            else experiment = options.Resolve(parse);
            var row = ExperimentRunner.TrainSupervised(experiment, new ConsoleCallbacks().Callbacks, runDirectory: run?.Root);
            if (run is not null)
            {
                ResultsFile.Put(run, row);
                Console.WriteLine($"   added to {run.Results}");
            }
            PretrainCommand.PrintTable([row], Console.IsOutputRedirected);
        }));
        return command;
    }

    private static int Guard(string name, Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"relic {name}: {Experiment.OneLine(e)}");
            return 2;
        }
    }

    /// <summary>Which encoder (run directory, checkpoint) and which data (the run's own, or <c>--dataset</c> for transfer).</summary>
    private sealed class SourceOptions
    {
        private readonly Option<DirectoryInfo?> runDir = new("--run-dir") { Description = "The run directory (experiment.json and checkpoints/); may be left out with --checkpoint." };
        private readonly Option<string?> checkpoint = new("--checkpoint") { Description = "A checkpoint of the run: a path (RUN/checkpoints/step-…), or a name in the run's checkpoints/ (default: last)." };
        private readonly Option<string?> dataset = new("--dataset") { Description = "Evaluate on another dataset (transfer): fashion-mnist, cifar10, cifar100, image-folder, synthetic." };
        private readonly Option<DirectoryInfo?> dataDir = new("--data-dir") { Description = "Root folder of --dataset (default: the kind's usual place)." };
        private readonly Option<int> imageSize = new("--image-size") { Description = "Side an image folder's images are brought to before adaptation (default 96).", DefaultValueFactory = _ => 96 };
        private readonly Option<int?> trainLimit = new("--train-limit") { Description = "Use only the first N training images of --dataset." };
        private readonly Option<int?> testLimit = new("--test-limit") { Description = "Use only the first N test images of --dataset." };

        public void AddTo(Command command)
        {
            command.Add(runDir);
            command.Add(checkpoint);
            command.Add(dataset);
            command.Add(dataDir);
            command.Add(imageSize);
            command.Add(trainLimit);
            command.Add(testLimit);
        }

        public (string RunDirectory, string? Checkpoint, DatasetSpec? Dataset) Resolve(ParseResult parse)
        {
            var ckpt = parse.GetValue(checkpoint);
            var dir = parse.GetValue(runDir)?.FullName
                      ?? (ckpt is null ? throw new ArgumentException("give --run-dir, or --checkpoint with a path inside a run's checkpoints/ folder")
                          : Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(ckpt))) ?? throw new ArgumentException($"--checkpoint '{ckpt}' is not inside a run's checkpoints/ folder"));
            if (ckpt is not null && parse.GetValue(runDir) is null) ckpt = Path.GetFullPath(ckpt);
            var kindName = parse.GetValue(dataset);
            DatasetSpec? spec = null;
            if (kindName is not null)
            {
                var kind = Enum.GetValues<DatasetKind>().FirstOrDefault(k => string.Equals(k.ToString(), kindName.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase), (DatasetKind)(-1));
                if (!Enum.IsDefined(kind)) throw new ArgumentException($"--dataset '{kindName}' is not one of fashion-mnist, cifar10, cifar100, image-folder, synthetic");
                spec = new DatasetSpec(kind, parse.GetValue(dataDir)?.FullName, parse.GetValue(trainLimit), parse.GetValue(testLimit), parse.GetValue(imageSize));
            }
            return (dir, ckpt, spec);
        }
    }

    /// <summary>Phases and messages as plain lines; training steps as a line every ten seconds (and the last).</summary>
    private sealed class ConsoleCallbacks
    {
        private DateTime lastStep = DateTime.MinValue;

        public ExperimentCallbacks Callbacks => new(p => Console.WriteLine($"== {p}"), Step, m => Console.WriteLine($"   {m}"));

        private void Step(MetricsRecord r, long total)
        {
            if (r.Step != total && r.Step != 1 && DateTime.UtcNow - lastStep <= TimeSpan.FromSeconds(10)) return;
            Console.WriteLine($"   step {r.Step}/{total} epoch {r.Epoch} loss {r.Loss:F4} lr {r.LearningRate:G3} {r.ImagesPerSecond:F0} img/s");
            lastStep = DateTime.UtcNow;
        }
    }
}
