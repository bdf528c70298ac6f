using System.Xml;
using System.Xml.Linq;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments.Reports;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

public sealed class HtmlReportTests : IDisposable
{
    private readonly RunDirectory run = new(Path.Combine(Path.GetTempPath(), "relic-report-" + Guid.NewGuid().ToString("N")));

    public HtmlReportTests() => Directory.CreateDirectory(run.Root);

    public void Dispose() => Directory.Delete(run.Root, recursive: true);

    private void WriteMetrics(int steps)
    {
        using var log = new MetricsLog(run.Metrics);
        for (var s = 0; s < steps; s++)
            log.Append(new MetricsRecord(s, s / 10, 5.0 - 0.01 * s,
                new Dictionary<string, double> { ["contrastive"] = 4.0 - 0.01 * s, ["invariance"] = 1.0 }, 0.1 * s / steps, 0.99 + 0.0001 * s, 120, s * 0.5));
    }

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    [Fact]
    public void Report_is_well_formed_self_contained_and_plots_every_logged_step()
    {
        WriteMetrics(37);
        ResultsFile.Write(run, [new("ReLICv2", "linear probe", 0.871, 0.995), new("random init", "linear probe", 0.762, null, "same probe")]);
        File.WriteAllBytes(run.Views, [0x89, (byte)'P', (byte)'N', (byte)'G']);
        File.WriteAllText(run.Experiment, "{\"name\": \"</pre><script>alert(1)</script>\"}");

        var path = HtmlReport.Write(run);
        Assert.Equal(run.Report, path);
        var html = File.ReadAllText(path);
        var doc = Parse(html);
        XNamespace svg = "http://www.w3.org/2000/svg";
        var charts = doc.Descendants(svg + "svg").ToList();
        Assert.Equal(4, charts.Count); // loss terms, learning rate, EMA, throughput
        var lossLines = charts[0].Descendants(svg + "polyline").ToList();
        Assert.Equal(new[] { "total", "contrastive", "invariance" }, lossLines.Select(l => (string?)l.Attribute("data-name")));
        Assert.All(lossLines, l => Assert.Equal(37, l.Attribute("points")!.Value.Split(' ').Length));
        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;/pre&gt;&lt;script&gt;", html);
        Assert.Matches("src=\"data:image/png;base64,iVBORw==\"", html);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
        var rows = doc.Descendants("table").Single().Descendants("tr").Skip(1).Select(r => r.Elements("td").Select(td => td.Value).ToArray()).ToList();
        Assert.Equal(["ReLICv2", "linear probe", "87.10 %", "99.50 %", ""], rows[0]);
        Assert.Equal(["random init", "linear probe", "76.20 %", "–", "same probe"], rows[1]);
    }

    [Fact]
    public void Robustness_rows_get_their_own_corruption_by_severity_table_and_chart()
    {
        List<AccuracyResult> rows = [new("ReLICv2 pre-trained", "linear probe", 0.9, 0.99)];
        rows.Add(new("ReLICv2 pre-trained", RobustnessEvaluation.Protocol, 0.9, 0.99, "uncorrupted test split", RobustnessEvaluation.Clean, 0));
        foreach (var (name, drop) in new[] { ("gaussian-noise", 0.05), ("contrast", 0.1) })
            for (var s = 1; s <= 5; s++)
                rows.Add(new("ReLICv2 pre-trained", RobustnessEvaluation.Protocol, 0.9 - drop * s, 0.99, $"{name} severity {s}", name, s));
        rows.Add(new("ReLICv2 pre-trained", RobustnessEvaluation.Protocol, 0.675, 0.99, "over 2 corruption(s) × 5 severities", RobustnessEvaluation.Mean));
        ResultsFile.Write(run, rows);
        Assert.Equal(rows, ResultsFile.Read(run));

        var doc = Parse(HtmlReport.Render(run));
        var accuracy = doc.Descendants("table").Single(t => (string?)t.Attribute("id") == "accuracy");
        Assert.Single(accuracy.Descendants("tr").Skip(1));
        var table = doc.Descendants("table").Single(t => (string?)t.Attribute("class") == "robustness");
        var cells = table.Descendants("tr").Skip(1).Select(r => r.Elements("td").Select(td => td.Value).ToArray()).ToList();
        Assert.Equal(["gaussian-noise", "90.00 %", "85.00 %", "80.00 %", "75.00 %", "70.00 %", "65.00 %", "75.00 %"], cells[0]);
        Assert.Equal(["contrast", "90.00 %", "80.00 %", "70.00 %", "60.00 %", "50.00 %", "40.00 %", "60.00 %"], cells[1]);
        Assert.Equal("67.50 %", doc.Descendants("strong").Single(e => (string?)e.Attribute("id") == "mean-corruption-accuracy").Value);
        XNamespace svg = "http://www.w3.org/2000/svg";
        var chart = doc.Descendants(svg + "svg").Single();
        var lines = chart.Descendants(svg + "polyline").ToList();
        Assert.Equal(new[] { "gaussian-noise", "contrast" }, lines.Select(l => (string?)l.Attribute("data-name")));
        Assert.All(lines, l => Assert.Equal(6, l.Attribute("points")!.Value.Split(' ').Length));
        Assert.DoesNotContain(doc.Descendants("p"), p => (string?)p.Attribute("id") == "unreadable");

        File.WriteAllLines(Path.Combine(run.Root, ReLICv2.Experiments.ExperimentRunner.UnreadableFile), ["/data/train/cat/broken.jpg"]);
        var noted = Parse(HtmlReport.Render(run)).Descendants("p").Single(p => (string?)p.Attribute("id") == "unreadable").Value;
        Assert.StartsWith("1 unreadable image file(s) were skipped", noted);
        Assert.Contains("/data/train/cat/broken.jpg", noted);
    }

    [Fact]
    public void A_run_without_metrics_or_results_reports_what_is_missing()
    {
        var html = File.ReadAllText(HtmlReport.Write(run));
        Assert.Contains("No evaluation results yet", html);
        Assert.Contains("No metrics yet", html);
        Assert.Contains("No view grid", html);
        Parse(html);
    }

    [Fact]
    public void A_torn_last_metrics_line_is_ignored_but_a_malformed_middle_line_is_an_error()
    {
        WriteMetrics(3);
        File.AppendAllText(run.Metrics, "{\"step\": 3, \"epo");
        Assert.Equal(3, MetricsLog.Read(run.Metrics).Count);
        File.WriteAllText(run.Metrics, "not json\n" + File.ReadAllText(run.Metrics));
        var e = Assert.Throws<InvalidDataException>(() => MetricsLog.Read(run.Metrics));
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void Metrics_round_trip_through_the_log()
    {
        var record = new MetricsRecord(12, 2, 1.25, new Dictionary<string, double> { ["kl"] = 0.5 }, 0.3, null, 99.5, 7.25);
        using (var log = new MetricsLog(run.Metrics)) log.Append(record);
        Assert.Equal(record, MetricsLog.Read(run.Metrics).Single());
    }

    [Fact]
    public void Accuracy_outside_the_unit_interval_is_rejected_naming_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AccuracyResult("x", "probe", 87.1));
        Assert.Contains("Top1", e.Message);
    }

    [Fact]
    public void Chart_ticks_are_round_increasing_and_inside_the_range()
    {
        var gen = from lo in Gen.Choose(-100000, 100000) from width in Gen.Choose(1, 1000000) from scale in Gen.Elements(1e-6, 1e-3, 1.0, 1e3)
                  select (lo * scale, (lo + width) * scale);
        Prop.ForAll(gen.ToArbitrary(), r =>
        {
            var ticks = SvgLineChart.Ticks(r.Item1, r.Item2);
            Assert.InRange(ticks.Count, 2, 11);
            Assert.All(ticks, t => Assert.InRange(t, r.Item1 - 1e-9 * Math.Abs(r.Item1), r.Item2 + 1e-9 * Math.Abs(r.Item2)));
            Assert.True(ticks.Zip(ticks.Skip(1)).All(p => p.Second > p.First));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true));
    }
}
