using ReLICv2.Training;
using System.CommandLine;
using ReLICv2.Experiments.Reports;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic report RUN_DIR</c>: writes the run's self-contained HTML report and prints its path.
/// <c>relic report RUN_DIR RUN_DIR… [--out FILE]</c>: several runs side by side on one page (accuracy table, loss curves
/// overlaid, time per step), <c>comparison.html</c> in the current folder by default.
/// </summary>
public static class ReportCommand
{
    public static Command Build()
    {
        var dirs = new Argument<DirectoryInfo[]>("run-dir")
        {
            Description = "The run directory (holds metrics.jsonl, results.json, experiment.json, views.png); several for a comparison.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<FileInfo?>("--out") { Description = "Where the comparison of several runs goes (default comparison.html)." };
        var command = new Command("report", "Write a run's HTML report (loss curves, schedules, accuracy table, view grid, experiment), or compare several runs.") { dirs, output };
        command.SetAction(parse =>
        {
            var runs = parse.GetValue(dirs)!.Select(d => new RunDirectory(d.FullName)).ToList();
            if (runs.FirstOrDefault(r => !Directory.Exists(r.Root)) is { } missing)
            {
                Console.Error.WriteLine($"relic report: run directory '{missing.Root}' does not exist");
                return 2;
            }
            if (runs.Count == 1 && parse.GetValue(output) is null)
            {
                Console.WriteLine(HtmlReport.Write(runs[0]));
                return 0;
            }
            Console.WriteLine(ComparisonReport.Write(runs, parse.GetValue(output)?.FullName ?? "comparison.html"));
            return 0;
        });
        return command;
    }
}
