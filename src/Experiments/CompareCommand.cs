using System.CommandLine;
using System.Globalization;
using ReLICv2.Experiments.Cli;
using ReLICv2.Experiments.Reports;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic compare [--methods relicv2,byol,…] [--minutes 10] [--out DIR] [--quick] [--set path=value]…</c>: every method
/// pre-trained on Fashion-MNIST under the same wall-clock budget and scored by the same probe (<see cref="MethodComparison"/>),
/// one run directory per method under DIR, then the table (DIR/comparison.md, DIR/comparison.json) and the page
/// (DIR/comparison.html: accuracies, overlaid loss curves, time per step). Run again after a stop: finished methods are
/// kept, a stopped one resumes from its checkpoint. A method that fails does not stop the others; the exit code says it.
/// </summary>
public static class CompareCommand
{
    public static Command Build()
    {
        var methods = new Option<string>("--methods")
        {
            Description = "Comma-separated methods, in table order (default: every method).",
            DefaultValueFactory = _ => string.Join(",", MethodPresets.Methods),
        };
        var minutes = new Option<double?>("--minutes")
        {
            Description = $"Pre-training budget of each method in minutes; the measured step time plans the steps that fit (default {MethodComparison.DefaultMinutes}, {MethodComparison.QuickMinutes} with --quick).",
        };
        var output = new Option<DirectoryInfo?>("--out") { Description = "The comparison's folder: one run directory per method, the table and the page (default runs/compare)." };
        var quick = new Option<bool>("--quick") { Description = "Seconds per method on 128 images with a tiny encoder (CI; not a measurement)." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal." };
        var sets = new ExperimentOptions();
        var command = new Command("compare", "Pre-train every method on Fashion-MNIST at the same time budget, probe each the same way, write one table and one page.")
        {
            methods, minutes, output, quick, plain, sets.Set,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(output)?.FullName ?? Path.GetFullPath(Path.Combine("runs", "compare"));
            List<(string Method, Experiment Experiment)> plan;
            try
            {
                var quickly = parse.GetValue(quick);
                plan = Plan(parse.GetValue(methods) ?? "", parse.GetValue(minutes) ?? (quickly ? MethodComparison.QuickMinutes : MethodComparison.DefaultMinutes),
                    quickly, e => sets.ApplySets(e, parse));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"relic compare: {Experiment.OneLine(e)}");
                return 2;
            }
            return Execute(plan, dir, parse.GetValue(plain) || Console.IsOutputRedirected);
        });
        return command;
    }

    /// <summary>The experiment of each method named in <paramref name="methods"/> (comma-separated, each once), after <paramref name="overrides"/>.</summary>
    /// <exception cref="ArgumentException">An unknown or repeated method, an invalid budget or override (one-line message).</exception>
    internal static List<(string Method, Experiment Experiment)> Plan(string methods, double minutes, bool quick, Func<Experiment, Experiment> overrides)
    {
        var names = methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"--methods: no method given (allowed: {string.Join(", ", MethodPresets.Methods)})");
        if (names.FirstOrDefault(m => !MethodPresets.Methods.Contains(m)) is { } unknown)
            throw new ArgumentException($"--methods: '{unknown}' is not a method (allowed: {string.Join(", ", MethodPresets.Methods)})");
        if (names.GroupBy(m => m).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"--methods: '{twice.Key}' is named twice");
        if (minutes is not (> 0 and < double.PositiveInfinity))
            throw new ArgumentException($"--minutes must be finite and > 0 (got {minutes.ToString(CultureInfo.InvariantCulture)})");
        return names.Select(m =>
        {
            var experiment = MethodComparison.FashionMnist(m, minutes);
            return (m, overrides(quick ? MethodComparison.Quick(experiment) : experiment));
        }).ToList();
    }

    /// <summary>Runs (or keeps, or resumes) every method of <paramref name="plan"/> under <paramref name="dir"/>, then writes the table and the page.</summary>
    internal static int Execute(IReadOnlyList<(string Method, Experiment Experiment)> plan, string dir, bool plain)
    {
        var runs = plan.Select(p => Path.Combine(dir, p.Method)).ToList();
        var failed = new List<string>();
        for (var i = 0; i < plan.Count; i++)
        {
            var (_, experiment) = plan[i];
            var head = $"== [{i + 1}/{plan.Count}] {experiment.MethodName} ({experiment.Name}, {experiment.Target} target, budget {experiment.TimeBudgetMinutes?.ToString(CultureInfo.InvariantCulture) ?? "none"} min) in {runs[i]}";
            ComparisonRunState state;
            try
            {
                state = MethodComparison.StateOf(experiment, runs[i]);
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"relic compare: {e.Message}");
                return 1;
            }
            if (state == ComparisonRunState.Finished)
            {
                Console.WriteLine($"{head}: finished earlier, kept");
                continue;
            }
            Console.WriteLine(state == ComparisonRunState.Resume ? $"{head}: resuming from its checkpoint" : head);
            var code = PretrainCommand.Execute(experiment, runs[i], state == ComparisonRunState.Resume, plain, group: null);
            if (code == 130)
            {
                Console.WriteLine("relic compare: stopped; run the same command again to continue (finished methods are kept, this one resumes)");
                return code;
            }
            if (code != 0)
            {
                // One method failing (a diverged loss, say) leaves the others' budgets intact: they still run.
                failed.Add(experiment.MethodName);
                Console.Error.WriteLine($"relic compare: {experiment.MethodName} failed (exit code {code}); continuing with the other methods");
            }
        }
        var logged = runs.Where(r => File.Exists(new RunDirectory(r).Metrics) && File.Exists(new RunDirectory(r).Experiment)).ToList();
        if (logged.Count == 0)
        {
            Console.Error.WriteLine("relic compare: no method logged a step; nothing to tabulate");
            return 1;
        }
        IReadOnlyList<MethodComparisonRow> rows;
        string page;
        try
        {
            rows = MethodComparison.Write(logged, dir);
            page = ComparisonReport.Write([.. logged.Select(r => new RunDirectory(r))], Path.Combine(dir, MethodComparison.PageFile));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"relic compare: {Experiment.OneLine(e)}");
            return 1;
        }
        Console.WriteLine();
        Console.Write(MethodComparison.Markdown(rows));
        Console.WriteLine($"table: {Path.Combine(dir, MethodComparison.MarkdownFile)} and {Path.Combine(dir, MethodComparison.JsonFile)}");
        Console.WriteLine($"page: {page}");
        if (failed.Count == 0) return 0;
        Console.Error.WriteLine($"relic compare: {string.Join(", ", failed)} failed; see the messages above");
        return 1;
    }
}
