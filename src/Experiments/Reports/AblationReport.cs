using System.Globalization;
using System.Net;
using System.Text;
using ReLICv2.Training;

namespace ReLICv2.Experiments.Reports;

/// <summary>
/// The page of the paper ablations (scripts/paper_ablations.fsx): per question, a chart of each configuration's linear-probe
/// and k-NN top-1 as mean ± one standard deviation over its seeds (and the background shift's where scored), with the
/// question's table and verdicts beneath it. Self-contained: inline SVG, no script.
/// </summary>
public static class AblationReport
{
    private const int Width = 560, Height = 300, Left = 64, Right = 16, Top = 28, Bottom = 58;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c"];

    /// <summary>Writes the page for <paramref name="questions"/> with their rows to <paramref name="path"/> atomically and returns the full path.</summary>
    public static string Write(IReadOnlyList<(AblationQuestion Question, IReadOnlyList<AblationRow> Rows)> questions, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>").Append(Esc(title)).Append("</title><style>")
          .Append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;}table{border-collapse:collapse;}td,th{border:1px solid #ccc;padding:3px 8px;}")
          .Append("td:not(:first-child){text-align:right;}.chart text{font-size:11px;}.chart .title{font-size:13px;font-weight:bold;}</style></head><body>")
          .Append("<h1>").Append(Esc(title)).Append("</h1>");
        foreach (var (question, rows) in questions)
        {
            sb.Append("<h2>").Append(Esc(question.Title)).Append("</h2>");
            sb.Append("<p>Paper: ").Append(Esc(question.PaperFinding)).Append(".</p>");
            var series = new List<(string Name, Func<AblationRow, SeedStatistics?> Pick)> { ("linear probe", r => r.Probe), ("k-NN", r => r.Knn) };
            if (question.Robustness) series.Add(("background shift", r => r.BackgroundShift));
            sb.Append(Chart(question.Title, rows, series));
            sb.Append("<pre>").Append(Esc(PaperAblations.Markdown(question, rows))).Append("</pre>");
        }
        sb.Append("</body></html>");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.WriteAllBytes(full, new UTF8Encoding(false).GetBytes(sb.ToString()));
        return full;
    }

    /// <summary>
    /// A chart of top-1 (%) per configuration: for each series a dot at the mean and a whisker of ± one standard deviation,
    /// side by side within a configuration's slot.
    /// </summary>
    public static string Chart(string title, IReadOnlyList<AblationRow> rows, IReadOnlyList<(string Name, Func<AblationRow, SeedStatistics?> Pick)> series)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(series);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" class=\"title\">{Esc(title)}</text>");
        var values = rows.SelectMany(r => series.Select(s => s.Pick(r)).OfType<SeedStatistics>()
            .SelectMany(v => new[] { v.Mean - v.StandardDeviation, v.Mean + v.StandardDeviation })).Where(double.IsFinite).Select(v => 100 * v).ToList();
        if (rows.Count == 0 || values.Count == 0)
            return sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no data</text></svg>").ToString();
        double lo = values.Min(), hi = values.Max();
        var pad = Math.Max(0.25, 0.08 * (hi - lo));
        (lo, hi) = (lo - pad, hi + pad);
        double Py(double y) => Height - Bottom - (y - lo) / (hi - lo) * (Height - Top - Bottom);
        var slot = (double)(Width - Left - Right) / rows.Count;
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (var t in SvgLineChart.Ticks(lo, hi))
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 4}\" x2=\"{Width - Right}\" y1=\"{Py(t):F1}\" y2=\"{Py(t):F1}\" stroke=\"#eee\"/><text x=\"{Left - 6}\" y=\"{Py(t) + 4:F1}\" text-anchor=\"end\">{t.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">top-1 (%)</text>");
        for (var i = 0; i < rows.Count; i++)
        {
            var centre = Left + slot * (i + 0.5);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{centre:F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Esc(rows[i].Label)}</text>");
            for (var s = 0; s < series.Count; s++)
            {
                if (series[s].Pick(rows[i]) is not { } v || !double.IsFinite(v.Mean)) continue;
                var x = centre + (s - (series.Count - 1) / 2.0) * Math.Min(14, slot / (series.Count + 1));
                var colour = Palette[s % Palette.Length];
                sb.Append(CultureInfo.InvariantCulture,
                    $"<line class=\"whisker\" x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{Py(100 * (v.Mean - v.StandardDeviation)):F1}\" y2=\"{Py(100 * (v.Mean + v.StandardDeviation)):F1}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>");
                sb.Append(CultureInfo.InvariantCulture,
                    $"<circle class=\"mean\" data-series=\"{Esc(series[s].Name)}\" data-config=\"{Esc(rows[i].Label)}\" cx=\"{x:F1}\" cy=\"{Py(100 * v.Mean):F1}\" r=\"3\" fill=\"{colour}\"/>");
            }
        }
        for (var s = 0; s < series.Count; s++)
            sb.Append(CultureInfo.InvariantCulture,
                $"<circle cx=\"{Left + 12 + 130 * s}\" cy=\"{Height - 12}\" r=\"3\" fill=\"{Palette[s % Palette.Length]}\"/><text x=\"{Left + 20 + 130 * s}\" y=\"{Height - 8}\">{Esc(series[s].Name)} (mean ± sd)</text>");
        return sb.Append("</svg>").ToString();
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
