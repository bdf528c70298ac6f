using ReLICv2.Training;
using System.CommandLine;
using ReLICv2.Experiments.Reports;

namespace ReLICv2.Experiments;

/// <summary><c>relic report RUN_DIR</c>: writes the run's self-contained HTML report and prints its path.</summary>
public static class ReportCommand
{
    public static Command Build()
    {
        var dir = new Argument<DirectoryInfo>("run-dir") { Description = "The run directory (holds metrics.jsonl, results.json, experiment.json, views.png)." };
        var command = new Command("report", "Write a run's HTML report (loss curves, schedules, accuracy table, view grid, experiment).") { dir };
        command.SetAction(parse =>
        {
            var run = new RunDirectory(parse.GetValue(dir)!.FullName);
            if (!Directory.Exists(run.Root))
            {
                Console.Error.WriteLine($"relic report: run directory '{run.Root}' does not exist");
                return 2;
            }
            Console.WriteLine(HtmlReport.Write(run));
            return 0;
        });
        return command;
    }
}
