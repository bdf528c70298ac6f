using System.CommandLine;
using System.Globalization;
using ReLICv2.Experiments.Cli;
using ReLICv2.Training;
using ReLICv2.Vision;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic eval linear|knn --run-dir DIR</c>: evaluates a run's pre-trained encoder (its last checkpoint) with the linear
/// probe or k-NN of docs/method.md §7; <c>relic eval robustness --run-dir DIR</c>: the robustness protocol of
/// docs/method.md §7.1; <c>relic supervised</c>: trains and scores the supervised baseline of an experiment.
/// </summary>
public static class EvalCommand
{
    public static Command Build()
    {
        var command = new Command("eval", "Evaluate a run's pre-trained encoder: linear probe, k-NN or robustness to corruptions.");
        foreach (var (name, probe, knn, what) in new[] { ("linear", true, false, "the linear probe"), ("knn", false, true, "weighted k-NN (k 20, τ 0.07)") })
        {
            var runDir = new Option<DirectoryInfo>("--run-dir") { Description = "The run directory (experiment.json and checkpoints/).", Required = true };
            var sub = new Command(name, $"Score a run's encoder with {what} on the test set.") { runDir };
            sub.SetAction(parse =>
            {
                try
                {
                    var display = new ConsoleCallbacks();
                    var rows = ExperimentRunner.EvaluateRun(parse.GetValue(runDir)!.FullName, probe, knn, display.Callbacks);
                    PretrainCommand.PrintTable(rows, Console.IsOutputRedirected);
                    return 0;
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or System.Text.Json.JsonException)
                {
                    Console.Error.WriteLine($"relic eval {name}: {Experiment.OneLine(e)}");
                    return 2;
                }
            });
            command.Add(sub);
        }
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
        var sub = new Command("robustness",
            "Score a run's encoder with its linear probe (trained on clean features) on corrupted copies of the test set: 7 corruptions and a background shift at 5 severities.")
        {
            runDir, corruptions, seed,
        };
        sub.SetAction(parse =>
        {
            try
            {
                var chosen = parse.GetValue(corruptions) is { } list
                    ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Corruptions.Parse).ToArray()
                    : null;
                var dir = parse.GetValue(runDir)!.FullName;
                var rows = ExperimentRunner.EvaluateRobustness(dir, chosen, new ConsoleCallbacks().Callbacks, seed: parse.GetValue(seed));
                PrintRobustness(rows);
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

    public static Command BuildSupervised()
    {
        var options = new ExperimentOptions();
        var command = new Command("supervised", "Train the experiment's encoder with labels (same augmentation, its epochs) and score it: the supervised baseline.");
        options.AddTo(command);
        command.SetAction(parse =>
        {
            try
            {
                var experiment = options.Resolve(parse);
                var row = ExperimentRunner.TrainSupervised(experiment, new ConsoleCallbacks().Callbacks);
                PretrainCommand.PrintTable([row], Console.IsOutputRedirected);
                return 0;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException)
            {
                Console.Error.WriteLine($"relic supervised: {Experiment.OneLine(e)}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Phases and messages as plain lines.</summary>
    private sealed class ConsoleCallbacks
    {
        public ExperimentCallbacks Callbacks { get; } = new(p => Console.WriteLine($"== {p}"), null, m => Console.WriteLine($"   {m}"));
    }
}
