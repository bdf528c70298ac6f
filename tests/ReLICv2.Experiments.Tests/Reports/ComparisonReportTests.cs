using System.Xml;
using System.Xml.Linq;
using ReLICv2.Experiments.Reports;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Several runs on one page: the run table, one accuracy column per run, overlaid curves.</summary>
public sealed class ComparisonReportTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "relic-compare-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private RunDirectory Run(string name, int steps, double secondsPerStep, double? probe, string experiment, string? experimentJson = null)
    {
        var run = new RunDirectory(Path.Combine(root, name));
        Directory.CreateDirectory(run.Root);
        using (var log = new MetricsLog(run.Metrics))
            for (var s = 1; s <= steps; s++)
                log.Append(new MetricsRecord(s, 0, 5.0 - 0.01 * s, new Dictionary<string, double>(), 0.1, null, 100 + s, s * secondsPerStep));
        if (probe is { } p) ResultsFile.Write(run, [new($"{name} pre-trained", "linear probe", p, null)]);
        File.WriteAllText(run.Experiment, experimentJson ?? $"{{\"name\": \"{experiment}\"}}");
        return run;
    }

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    [Fact]
    public void Every_run_gets_a_row_a_column_and_a_curve_and_missing_parts_are_shown_as_missing()
    {
        var a = Run("byol", steps: 40, secondsPerStep: 0.5, probe: 0.8123, experiment: "byol-fashion-mnist");
        var b = Run("relicv2", steps: 20, secondsPerStep: 1.5, probe: null, experiment: "relicv2-fashion-mnist");
        var path = ComparisonReport.Write([a, b], Path.Combine(root, "out", "comparison.html"));
        var page = Parse(File.ReadAllText(path));
        var runRows = page.Descendants("table").First(t => (string?)t.Attribute("id") == "runs").Descendants("tr").Skip(1).ToList();
        Assert.Equal(2, runRows.Count);
        Assert.Equal(["byol", "byol-fashion-mnist", "–", "40", "20", "0.500"], runRows[0].Elements("td").Take(6).Select(td => td.Value));
        Assert.Equal(["relicv2", "relicv2-fashion-mnist", "–", "20", "30", "1.500"], runRows[1].Elements("td").Take(6).Select(td => td.Value));
        var accuracy = page.Descendants("table").First(t => (string?)t.Attribute("id") == "accuracy").Descendants("tr").ToList();
        Assert.Equal(["encoder · protocol", "byol", "relicv2"], accuracy[0].Elements("th").Select(th => th.Value));
        Assert.Equal(["pre-trained · linear probe", "81.23 %", "–"], accuracy[1].Elements("td").Select(td => td.Value));
        // four charts (loss by step, by time, rescaled per run; throughput), each with one line per run
        var charts = page.Descendants().Where(e => e.Name.LocalName == "svg").ToList();
        Assert.Equal(4, charts.Count);
        Assert.All(charts, c => Assert.Equal(2, c.Descendants().Count(e => e.Name.LocalName == "polyline")));
    }

    [Fact]
    public void Methods_are_named_and_their_pre_trained_encoders_share_one_row_per_protocol()
    {
        var byol = Run("a", steps: 10, secondsPerStep: 0.5, probe: null, experiment: "", experimentJson: ReLICv2.Experiments.MethodPresets.FashionMnist("byol").ToJson());
        ResultsFile.Write(byol, [new("BYOL pre-trained", "k-NN", 0.5), new("BYOL EMA target", "k-NN", 0.625), new("random init", "k-NN", 0.25)]);
        var simclr = Run("b", steps: 10, secondsPerStep: 0.5, probe: null, experiment: "", experimentJson: ReLICv2.Experiments.MethodPresets.FashionMnist("simclr").ToJson());
        ResultsFile.Write(simclr, [new("SimCLR pre-trained", "k-NN", 0.75)]);
        var page = Parse(ComparisonReport.Render([byol, simclr]));
        var runRows = page.Descendants("table").First(t => (string?)t.Attribute("id") == "runs").Descendants("tr").Skip(1).ToList();
        Assert.Equal([("byol-fashion-mnist", "BYOL"), ("simclr-fashion-mnist", "SimCLR")],
            runRows.Select(r => (r.Elements("td").ElementAt(1).Value, r.Elements("td").ElementAt(2).Value)));
        var accuracy = page.Descendants("table").First(t => (string?)t.Attribute("id") == "accuracy").Descendants("tr").ToList();
        Assert.Equal(["encoder · protocol", "a (BYOL)", "b (SimCLR)"], accuracy[0].Elements("th").Select(th => th.Value));
        Assert.Equal([["pre-trained · k-NN", "50.00 %", "75.00 %"], ["EMA target · k-NN", "62.50 %", "–"], ["random init · k-NN", "25.00 %", "–"]],
            accuracy.Skip(1).Select(r => r.Elements("td").Select(td => td.Value).ToArray()));
    }

    [Fact]
    public void A_missing_run_directory_is_named()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => ComparisonReport.Write([new RunDirectory(Path.Combine(root, "nope"))], Path.Combine(root, "c.html")));
        Assert.Contains("nope", e.Message);
    }
}
