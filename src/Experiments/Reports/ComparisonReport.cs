using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ReLICv2.Training;

namespace ReLICv2.Experiments.Reports;

/// <summary>
/// Several runs side by side on one self-contained HTML page (inline CSS and SVG, no script): a table with each run's
/// experiment name, method, steps, pre-training seconds, seconds per step and median images/s, the accuracy of every encoder
/// and protocol each run evaluated (one column per run; the pre-trained and EMA target encoders of different methods share
/// a row), and the runs' total losses and throughputs overlaid, by step and by elapsed time, with the losses also rescaled
/// per run for objectives of different scales. Missing parts of a run are shown as missing.
/// </summary>
public static class ComparisonReport
{
    /// <summary>Writes the comparison of <paramref name="runs"/> to <paramref name="path"/> atomically and returns the path.</summary>
    /// <exception cref="DirectoryNotFoundException">A run directory does not exist (named).</exception>
    public static string Write(IReadOnlyList<RunDirectory> runs, string path)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("ComparisonReport: no run directory given", nameof(runs));
        foreach (var run in runs)
            if (!Directory.Exists(run.Root)) throw new DirectoryNotFoundException($"run directory '{run.Root}' does not exist");
        var html = Render(runs);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.WriteAllBytes(full, new UTF8Encoding(false).GetBytes(html));
        return full;
    }

    private sealed record RunFacts(string Label, string Experiment, string Method, IReadOnlyList<MetricsRecord> Metrics, IReadOnlyList<AccuracyResult> Results);

    private static RunFacts Facts(RunDirectory run)
    {
        var metrics = File.Exists(run.Metrics) ? MetricsLog.Read(run.Metrics) : [];
        var (experiment, method) = ("–", "–");
        if (File.Exists(run.Experiment))
        {
            try
            {
                experiment = JsonNode.Parse(File.ReadAllText(run.Experiment))?["name"]?.GetValue<string>() ?? "–";
                method = Experiment.Load(run.Experiment).MethodName;
            }
            catch (System.Text.Json.JsonException)
            {
                experiment = "(unreadable experiment.json)";
            }
            catch (InvalidDataException)
            {
                // A name but not a whole experiment (a hand-made or foreign file): the method stays unknown.
            }
        }
        // Of the robustness protocol's rows, the clean and mean corruption accuracies are compared (one row each).
        var results = ResultsFile.Read(run)
            .Where(r => r.Corruption is null or RobustnessEvaluation.Clean or RobustnessEvaluation.Mean)
            .Select(r => r.Corruption is null ? r : r with { Protocol = r.Corruption == RobustnessEvaluation.Mean ? "mean corruption accuracy" : "robustness: clean" })
            .ToList();
        return new RunFacts(Path.GetFileName(run.Root.TrimEnd(Path.DirectorySeparatorChar)), experiment, method, metrics, results);
    }

    /// <summary>
    /// The row an accuracy goes to: the pre-trained encoders of every method share the rows "pre-trained" and "EMA target"
    /// (their names say the method, the runs' columns say it too), so that methods compare on one line; baselines keep their names.
    /// </summary>
    private static string Role(string encoder) =>
        encoder.EndsWith(" " + ExperimentRunner.PretrainedSuffix, StringComparison.Ordinal) ? ExperimentRunner.PretrainedSuffix
        : encoder.EndsWith(" " + ExperimentRunner.TargetSuffix, StringComparison.Ordinal) ? ExperimentRunner.TargetSuffix
        : encoder;

    /// <summary>The page for <paramref name="runs"/>.</summary>
    public static string Render(IReadOnlyList<RunDirectory> runs)
    {
        var facts = runs.Select(Facts).ToList();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>ReLICv2.NET comparison</title>");
        sb.Append("<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
          .Append(".charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{background:#fff;border:1px solid #ddd}svg .title{font-size:13px;font-weight:600}")
          .Append("svg .tick,svg .legend{font-size:10px}svg .axis{font-size:11px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
          .Append("th:first-child,td:first-child{text-align:left}.missing{color:#888;font-style:italic}</style></head><body>");
        sb.Append(CultureInfo.InvariantCulture, $"<h1>ReLICv2.NET: {facts.Count} runs side by side</h1>");

        sb.Append("<h2>Runs</h2><table id=\"runs\"><thead><tr><th>run</th><th>experiment</th><th>method</th><th>steps</th><th>seconds</th><th>s / step</th><th>images/s (median)</th><th>last loss</th></tr></thead><tbody>");
        foreach (var f in facts)
        {
            if (f.Metrics.Count == 0)
            {
                sb.Append($"<tr><td>{Esc(f.Label)}</td><td>{Esc(f.Experiment)}</td><td>{Esc(f.Method)}</td><td colspan=\"5\" class=\"missing\">no metrics yet</td></tr>");
                continue;
            }
            var last = f.Metrics[^1];
            var speeds = f.Metrics.Select(m => m.ImagesPerSecond).Order().ToList();
            sb.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Esc(f.Label)}</td><td>{Esc(f.Experiment)}</td><td>{Esc(f.Method)}</td><td>{last.Step}</td><td>{last.ElapsedSeconds:F0}</td><td>{last.ElapsedSeconds / Math.Max(last.Step, 1):F3}</td><td>{speeds[speeds.Count / 2]:F1}</td><td>{last.Loss:F4}</td></tr>");
        }
        sb.Append("</tbody></table>");

        sb.Append("<h2>Accuracy (top-1)</h2>");
        var rows = facts.SelectMany(f => f.Results.Select(r => (Encoder: Role(r.Encoder), r.Protocol))).Distinct().ToList();
        if (rows.Count == 0) sb.Append("<p class=\"missing\">No run has evaluation results yet (results.json).</p>");
        else
        {
            sb.Append("<table id=\"accuracy\"><thead><tr><th>encoder · protocol</th>");
            foreach (var f in facts) sb.Append(f.Method == "–" ? $"<th>{Esc(f.Label)}</th>" : $"<th>{Esc(f.Label)} ({Esc(f.Method)})</th>");
            sb.Append("</tr></thead><tbody>");
            foreach (var (encoder, protocol) in rows)
            {
                sb.Append($"<tr><td>{Esc(encoder)} · {Esc(protocol)}</td>");
                foreach (var f in facts)
                {
                    var hit = f.Results.FirstOrDefault(r => Role(r.Encoder) == encoder && r.Protocol == protocol);
                    sb.Append(hit is null ? "<td class=\"missing\">–</td>" : string.Create(CultureInfo.InvariantCulture, $"<td>{hit.Top1 * 100:F2} %</td>"));
                }
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table>");
        }

        sb.Append("<h2>Curves</h2>");
        var withMetrics = facts.Where(f => f.Metrics.Count > 0).ToList();
        if (withMetrics.Count == 0) sb.Append("<p class=\"missing\">No metrics yet (metrics.jsonl).</p>");
        else
        {
            ChartSeries Series(RunFacts f, Func<MetricsRecord, double> x, Func<MetricsRecord, double> y) =>
                new(f.Label, f.Metrics.Select(x).ToArray(), f.Metrics.Select(y).ToArray());
            sb.Append("<div class=\"charts\">");
            sb.Append(SvgLineChart.Render("Loss by step", "step", "loss", [.. withMetrics.Select(f => Series(f, m => m.Step, m => m.Loss))]));
            sb.Append(SvgLineChart.Render("Loss by time", "seconds", "loss", [.. withMetrics.Select(f => Series(f, m => m.ElapsedSeconds, m => m.Loss))]));
            // Methods' losses live on different scales (Barlow Twins in the hundreds, TWIST near 0): each run rescaled to
            // [0, 1] between its own lowest and highest logged loss shows their shapes on one axis.
            sb.Append(SvgLineChart.Render("Loss rescaled per run", "step", "(loss − min) / (max − min)", [.. withMetrics.Select(f =>
            {
                var (low, high) = (f.Metrics.Min(m => m.Loss), f.Metrics.Max(m => m.Loss));
                return Series(f, m => m.Step, m => high > low ? (m.Loss - low) / (high - low) : 0);
            })]));
            sb.Append(SvgLineChart.Render("Throughput", "step", "images/s", [.. withMetrics.Select(f => Series(f, m => m.Step, m => m.ImagesPerSecond))]));
            sb.Append("</div>");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
