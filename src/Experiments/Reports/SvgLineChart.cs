using System.Globalization;
using System.Net;
using System.Text;

namespace ReLICv2.Experiments.Reports;

/// <summary>
/// A self-contained SVG line chart (axes, ticks, legend), written as XHTML-compatible markup so that a report
/// needs no script or network at view time. Non-finite points are skipped.
/// </summary>
public static class SvgLineChart
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private const int Width = 560, Height = 300, Left = 64, Right = 16, Top = 28, Bottom = 44;

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" class=\"title\">{Esc(title)}</text>");
        if (points.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no data</text></svg>");
            return sb.ToString();
        }
        var (x0, x1) = Range(points.Select(p => p.First));
        var (y0, y1) = Range(points.Select(p => p.Second));
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        double Py(double y) => Height - Bottom - (y - y0) / (y1 - y0) * (Height - Top - Bottom);

        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (var t in Ticks(x0, x1))
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Px(t):F1}\" x2=\"{Px(t):F1}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom + 4}\" stroke=\"#999\"/><text x=\"{Px(t):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{Fmt(t)}</text>");
        foreach (var t in Ticks(y0, y1))
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 4}\" x2=\"{Width - Right}\" y1=\"{Py(t):F1}\" y2=\"{Py(t):F1}\" stroke=\"#eee\"/><text x=\"{Left - 6}\" y=\"{Py(t) + 4:F1}\" text-anchor=\"end\" class=\"tick\">{Fmt(t)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" class=\"axis\">{Esc(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" class=\"axis\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Esc(yLabel)}</text>");
        for (var i = 0; i < series.Count; i++)
        {
            var colour = Palette[i % Palette.Length];
            var pts = series[i].X.Zip(series[i].Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second))
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{Px(p.First):F1},{Py(p.Second):F1}"));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-name=\"{Esc(series[i].Name)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{string.Join(' ', pts)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + 8}\" y=\"{Top + 8 + 14 * i}\" width=\"10\" height=\"3\" fill=\"{colour}\"/><text x=\"{Left + 22}\" y=\"{Top + 13 + 14 * i}\" class=\"legend\">{Esc(series[i].Name)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static (double Lo, double Hi) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        double lo = list.Min(), hi = list.Max();
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            var pad = Math.Max(Math.Abs(hi) * 0.05, 1e-3);
            return (lo - pad, hi + pad);
        }
        return (lo, hi);
    }

    /// <summary>About five round tick values in [lo, hi].</summary>
    internal static IReadOnlyList<double> Ticks(double lo, double hi)
    {
        var raw = (hi - lo) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.Add(Math.Round(t / step) * step);
        return ticks;
    }

    private static string Fmt(double v) => Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-3 && v != 0)
        ? v.ToString("0.##E0", CultureInfo.InvariantCulture)
        : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
