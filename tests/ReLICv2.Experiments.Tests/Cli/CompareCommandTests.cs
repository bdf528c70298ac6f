using System.Text.Json;
using ReLICv2.Experiments;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// <c>relic compare</c>: methods at the same budget into one folder, the table (markdown + JSON) and the page; a second run
/// keeps what finished and resumes what did not; other settings in the same folder are refused.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class CompareCommandTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "relic-compare-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private (int Code, string Out, string Err) Compare(params string[] extra) => CommandLineTests.Run(
        ["compare", "--methods", "byol,simclr", "--quick", "--plain", "--out", root, "--set", "dataset.kind=Synthetic", "--set", "dataset.imageSize=28", .. extra]);

    [Fact]
    public void Compare_runs_each_method_writes_the_table_and_the_page_and_keeps_finished_runs_on_a_restart()
    {
        var (code, output, error) = Compare();
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("== [1/2] BYOL (byol-fashion-mnist, Ema target", output);
        Assert.Contains("== [2/2] SimCLR (simclr-fashion-mnist, Shared target", output);
        Assert.Contains("BYOL EMA target", output);

        var rows = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, MethodComparison.JsonFile))).RootElement.EnumerateArray().ToList();
        Assert.Equal(["byol", "simclr"], rows.Select(r => r.GetProperty("method").GetString()));
        Assert.Equal(["BYOL", "SimCLR"], rows.Select(r => r.GetProperty("methodName").GetString()));
        foreach (var (row, method) in rows.Zip(["byol", "simclr"]))
        {
            // Each line is the run's own: steps and accuracies as its metrics.jsonl and results.json hold them.
            var run = new RunDirectory(Path.Combine(root, method));
            var experiment = Experiment.Load(run.Experiment);
            Assert.Equal(MetricsLog.Read(run.Metrics)[^1].Step, row.GetProperty("steps").GetInt64());
            Assert.Equal(ResultsFile.Read(run).Single(r => r.Encoder == ExperimentRunner.Pretrained(experiment) && r.Protocol == ExperimentRunner.Knn).Top1,
                row.GetProperty("knnTop1").GetDouble());
            Assert.Equal(0.02, row.GetProperty("budgetMinutes").GetDouble());
        }
        Assert.Equal(JsonValueKind.Number, rows[0].GetProperty("targetProbeTop1").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("targetProbeTop1").ValueKind);
        var markdown = File.ReadAllText(Path.Combine(root, MethodComparison.MarkdownFile));
        Assert.StartsWith("| method | linear probe top-1 | k-NN top-1 | steps | images/s | s / step |", markdown, StringComparison.Ordinal);
        Assert.Matches(@"\n\| BYOL \| [0-9.]+ % / [0-9.]+ % \| [0-9.]+ % / [0-9.]+ % \| [0-9]+ \|", markdown);
        Assert.Matches(@"\n\| SimCLR \| [0-9.]+ % \| [0-9.]+ % \| [0-9]+ \|", markdown);
        Assert.True(File.Exists(Path.Combine(root, MethodComparison.PageFile)));

        // Again: both are kept, nothing is trained. Then without SimCLR's results: it resumes and only evaluates.
        var byolMetrics = File.ReadAllText(Path.Combine(root, "byol", "metrics.jsonl"));
        var again = Compare();
        Assert.Equal(0, again.Code);
        Assert.Equal(2, again.Out.Split('\n').Count(l => l.EndsWith(": finished earlier, kept", StringComparison.Ordinal)));
        Assert.Equal(byolMetrics, File.ReadAllText(Path.Combine(root, "byol", "metrics.jsonl")));
        var steps = MetricsLog.Read(Path.Combine(root, "simclr", "metrics.jsonl")).Count;
        File.Delete(Path.Combine(root, "simclr", "results.json"));
        var resumed = Compare();
        Assert.Equal(0, resumed.Code);
        Assert.Contains("SimCLR (simclr-fashion-mnist, Shared target, budget 0.02 min) in " + Path.Combine(root, "simclr") + ": resuming from its checkpoint", resumed.Out);
        Assert.Equal(steps, MetricsLog.Read(Path.Combine(root, "simclr", "metrics.jsonl")).Count);
        Assert.True(File.Exists(Path.Combine(root, "simclr", "results.json")));

        // Another budget in the same folder would mix two comparisons.
        var other = Compare("--minutes", "0.5");
        Assert.Equal(1, other.Code);
        Assert.Contains("holds another experiment than BYOL with these settings", other.Err);
    }

    [Fact]
    public void A_method_that_fails_does_not_stop_the_others_and_the_exit_code_says_so()
    {
        // The largest learning rate accepted, 1e30, makes every loss non-finite within two steps: each method fails on its own.
        var (code, output, error) = Compare("--set", "optimizer.learningRate=1e30");
        Assert.Equal(1, code);
        Assert.Contains("relic compare: BYOL failed (exit code 3); continuing with the other methods", error);
        Assert.Contains("== [2/2] SimCLR", output);
        Assert.Contains("relic compare: SimCLR failed (exit code 3); continuing with the other methods", error);
    }

    [Theory]
    [InlineData("compare --methods byol,dino", "--methods: 'dino' is not a method (allowed: relic, relicv2, simclr")]
    [InlineData("compare --methods byol,byol", "--methods: 'byol' is named twice")]
    [InlineData("compare --methods ,", "--methods: no method given")]
    [InlineData("compare --minutes 0", "--minutes must be finite and > 0 (got 0)")]
    [InlineData("compare --set epochs=0", "Epochs must be >= 1")]
    public void Bad_arguments_give_a_one_line_error_and_exit_code_2(string args, string message)
    {
        var (code, _, error) = CommandLineTests.Run(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
