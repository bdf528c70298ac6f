using System.CommandLine;
using ReLICv2.Experiments.Cli;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic eval linear|knn --run-dir DIR</c>: evaluates a run's pre-trained encoder (its last checkpoint) with the linear
/// probe or k-NN of docs/method.md §7; <c>relic supervised</c>: trains and scores the supervised baseline of an experiment.
/// </summary>
public static class EvalCommand
{
    public static Command Build()
    {
        var command = new Command("eval", "Evaluate a run's pre-trained encoder: linear probe or k-NN.");
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
        return command;
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
