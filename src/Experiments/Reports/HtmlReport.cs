using System.Net;
using System.Text;
using System.Text.Json;
using ReLICv2.Training;

namespace ReLICv2.Experiments.Reports;

/// <summary>
/// Writes a run's report: one self-contained HTML page (inline CSS and SVG, the view grid as a data URI, no script,
/// nothing fetched at view time) with the loss curves per term, the learning-rate and EMA schedules, the accuracy
/// table (probe and k-NN beside the random-init and supervised baselines), the robustness protocol's corruption × severity
/// table and chart when the run has them, the view grid and the experiment value.
/// Missing parts (a run still in progress, a run without evaluation) are reported as missing, not as errors.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes <c>report.html</c> into the run directory and returns its path.</summary>
    public static string Write(RunDirectory run)
    {
        if (!Directory.Exists(run.Root))
            throw new DirectoryNotFoundException($"run directory '{run.Root}' does not exist");
        var html = Render(run);
        var temp = run.Report + ".tmp";
        File.WriteAllText(temp, html, new UTF8Encoding(false));
        File.Move(temp, run.Report, overwrite: true);
        return run.Report;
    }

    public static string Render(RunDirectory run)
    {
        var metrics = File.Exists(run.Metrics) ? MetricsLog.Read(run.Metrics) : [];
        var results = ResultsFile.Read(run);
        var name = Path.GetFileName(run.Root.TrimEnd(Path.DirectorySeparatorChar));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        sb.Append($"<title>ReLICv2.NET report: {Esc(name)}</title>");
        sb.Append("<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}h3{font-size:1em}")
          .Append(".charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{background:#fff;border:1px solid #ddd}svg .title{font-size:13px;font-weight:600}")
          .Append("svg .tick,svg .legend{font-size:10px}svg .axis{font-size:11px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
          .Append("th:first-child,td:first-child,td:nth-child(2){text-align:left}pre{background:#f6f6f6;padding:10px;overflow:auto;max-height:480px}")
          .Append(".missing{color:#888;font-style:italic}img.views{image-rendering:pixelated;width:min(100%,640px);border:1px solid #ddd}</style></head><body>");
        sb.Append($"<h1>ReLICv2.NET run <code>{Esc(name)}</code></h1>");
        sb.Append($"<p>Framework {Esc(Torch.FrameworkVersion)}. {metrics.Count} logged steps");
        if (metrics.Count > 0)
            sb.Append($", {metrics[^1].Epoch + 1} epoch(s), {metrics[^1].ElapsedSeconds:F0} s, last loss {metrics[^1].Loss:F4}");
        sb.Append(".</p>");
        var unreadable = Path.Combine(run.Root, ExperimentRunner.UnreadableFile);
        if (File.Exists(unreadable))
        {
            var files = File.ReadAllLines(unreadable).Where(l => l.Length > 0).ToArray();
            sb.Append($"<p id=\"unreadable\">{files.Length} unreadable image file(s) were skipped ({ExperimentRunner.UnreadableFile}): {Esc(string.Join(", ", files.Take(10)))}{(files.Length > 10 ? ", …" : "")}</p>");
        }

        var robustness = results.Where(r => r.Corruption is not null).ToList();
        results = results.Where(r => r.Corruption is null).ToList();
        sb.Append("<h2>Accuracy</h2>");
        if (results.Count == 0) sb.Append("<p class=\"missing\">No evaluation results yet (results.json).</p>");
        else
        {
            sb.Append("<table id=\"accuracy\"><thead><tr><th>encoder</th><th>protocol</th><th>top-1</th><th>top-5</th><th>note</th></tr></thead><tbody>");
            foreach (var r in results)
                sb.Append($"<tr><td>{Esc(r.Encoder)}</td><td>{Esc(r.Protocol)}</td><td>{r.Top1 * 100:F2} %</td><td>{(r.Top5 is { } t5 ? $"{t5 * 100:F2} %" : "–")}</td><td>{Esc(r.Note ?? "")}</td></tr>");
            sb.Append("</tbody></table>");
        }

        if (robustness.Count > 0)
        {
            AppendRobustness(sb, robustness);
            var grid = Path.Combine(run.Root, ExperimentRunner.CorruptionsFile);
            if (File.Exists(grid))
                sb.Append($"<p>Every corruption on the first test image, severities 0–5 left to right ({ExperimentRunner.CorruptionsFile}):</p>")
                  .Append($"<img class=\"views\" alt=\"the first test image under every corruption and severity\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(grid))}\"/>");
        }

        sb.Append("<h2>Training curves</h2>");
        if (metrics.Count == 0) sb.Append("<p class=\"missing\">No metrics yet (metrics.jsonl).</p>");
        else
        {
            var steps = metrics.Select(m => (double)m.Step).ToArray();
            var lossSeries = new List<ChartSeries> { new("total", steps, metrics.Select(m => m.Loss).ToArray()) };
            foreach (var term in metrics.SelectMany(m => m.Terms.Keys).Distinct())
                lossSeries.Add(new(term, steps, metrics.Select(m => m.Terms.TryGetValue(term, out var v) ? v : double.NaN).ToArray()));
            sb.Append("<div class=\"charts\">");
            sb.Append(SvgLineChart.Render("Loss per term", "step", "loss", lossSeries));
            sb.Append(SvgLineChart.Render("Learning rate", "step", "learning rate", [new("lr", steps, metrics.Select(m => m.LearningRate).ToArray())]));
            if (metrics.Any(m => m.EmaDecay.HasValue))
                sb.Append(SvgLineChart.Render("EMA decay γ", "step", "γ", [new("γ", steps, metrics.Select(m => m.EmaDecay ?? double.NaN).ToArray())]));
            sb.Append(SvgLineChart.Render("Throughput", "step", "images/s", [new("images/s", steps, metrics.Select(m => m.ImagesPerSecond).ToArray())]));
            sb.Append("</div>");
        }

        sb.Append("<h2>Views</h2>");
        if (File.Exists(run.Views))
            sb.Append($"<img class=\"views\" alt=\"source images and every view of the view set\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(run.Views))}\"/>");
        else sb.Append("<p class=\"missing\">No view grid (views.png).</p>");

        sb.Append("<h2>Experiment</h2>");
        sb.Append(File.Exists(run.Experiment)
            ? $"<pre id=\"experiment\">{Esc(File.ReadAllText(run.Experiment))}</pre>"
            : "<p class=\"missing\">No experiment value (experiment.json).</p>");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// The robustness protocol's rows (docs/method.md §7.1) per encoder: a corruption × severity table of top-1 accuracies
    /// (severity 0 the clean test split), the mean corruption accuracy, and a chart of top-1 against severity per corruption.
    /// </summary>
    private static void AppendRobustness(StringBuilder sb, IReadOnlyList<AccuracyResult> rows)
    {
        sb.Append("<h2>Robustness</h2>");
        sb.Append("<p>Linear probe trained on clean features, scored on corrupted copies of the test split (severity 0: clean).</p>");
        foreach (var encoder in rows.GroupBy(r => r.Encoder))
        {
            var clean = encoder.FirstOrDefault(r => r.Corruption == RobustnessEvaluation.Clean);
            var mean = encoder.FirstOrDefault(r => r.Corruption == RobustnessEvaluation.Mean);
            var byCorruption = encoder.Where(r => r.Corruption is not (RobustnessEvaluation.Clean or RobustnessEvaluation.Mean)).GroupBy(r => r.Corruption!).ToList();
            var severities = Enumerable.Range(0, 6).ToArray();
            sb.Append($"<h3>{Esc(encoder.Key)}</h3>");
            if (mean is not null)
                sb.Append($"<p>Mean corruption accuracy <strong id=\"mean-corruption-accuracy\">{mean.Top1 * 100:F2} %</strong>" +
                          (clean is null ? "" : $" (clean {clean.Top1 * 100:F2} %)") + $" {Esc(mean.Note ?? "")}.</p>");
            sb.Append("<table class=\"robustness\"><thead><tr><th>corruption</th>");
            foreach (var s in severities) sb.Append($"<th>{(s == 0 ? "clean" : $"severity {s}")}</th>");
            sb.Append("<th>mean of 1–5</th></tr></thead><tbody>");
            foreach (var g in byCorruption)
            {
                sb.Append($"<tr><td>{Esc(g.Key)}</td>");
                foreach (var s in severities)
                {
                    var r = s == 0 ? clean : g.FirstOrDefault(x => x.Severity == s);
                    sb.Append(r is null ? "<td>–</td>" : $"<td title=\"{Esc(r.Note ?? "")}\">{r.Top1 * 100:F2} %</td>");
                }
                var graded = g.Where(x => x.Severity is >= 1).ToList();
                sb.Append(graded.Count == 0 ? "<td>–</td>" : $"<td>{graded.Average(x => x.Top1) * 100:F2} %</td>");
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table>");
            var series = byCorruption.Select(g =>
            {
                var points = (clean is null ? g : g.Append(clean)).Where(x => x.Severity is not null).OrderBy(x => x.Severity).ToList();
                return new ChartSeries(g.Key, points.Select(x => (double)x.Severity!.Value).ToArray(), points.Select(x => x.Top1 * 100).ToArray());
            }).ToList();
            sb.Append("<div class=\"charts\">").Append(SvgLineChart.Render($"Top-1 under corruption: {encoder.Key}", "severity", "top-1 %", series)).Append("</div>");
        }
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
