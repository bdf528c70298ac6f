using System.Buffers.Binary;
using System.Diagnostics;
using ReLICv2.Experiments.Reports;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Opens a report in headless Chromium (Debian's <c>chromium</c>, installed by <c>scripts/bootstrap.sh --with-browser</c>,
/// which the test command runs): the page renders its charts, logs nothing to the console, and a screenshot is kept
/// beside the test assembly (report-screenshot.png).
/// </summary>
public sealed class ReportInChromiumTests : IDisposable
{
    private readonly RunDirectory run = new(Path.Combine(Path.GetTempPath(), "relic-chromium-" + Guid.NewGuid().ToString("N")));

    public ReportInChromiumTests() => Directory.CreateDirectory(run.Root);

    public void Dispose() => Directory.Delete(run.Root, recursive: true);

    private static string Chromium()
    {
        var path = Environment.GetEnvironmentVariable("RELIC_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(path), $"headless Chromium not found at {path}: run scripts/bootstrap.sh --with-browser (installs Debian's chromium) or set RELIC_CHROMIUM");
        return path;
    }

    private (string Stdout, string Stderr) RunChromium(params string[] args)
    {
        var psi = new ProcessStartInfo(Chromium())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(run.Root, "profile")}",
                     "--enable-logging=stderr", "--v=0",
                 }.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "chromium did not finish within 60 s");
        return (stdout.Result, stderr.Result);
    }

    [Fact]
    public void Report_renders_its_charts_in_headless_chromium_without_console_messages()
    {
        using (var log = new MetricsLog(run.Metrics))
            for (var s = 0; s < 50; s++)
                log.Append(new MetricsRecord(s, 0, 3 - 0.02 * s, new Dictionary<string, double> { ["contrastive"] = 2 - 0.01 * s, ["invariance"] = 1 - 0.01 * s },
                    0.01 * s, 0.99, 100, s));
        ResultsFile.Write(run, [new("ReLICv2", "linear probe", 0.85, 0.99)]);
        var url = new Uri(HtmlReport.Write(run)).AbsoluteUri;

        var (dom, domLog) = RunChromium("--dump-dom", url);
        Assert.Equal(4, CountOf(dom, "<svg"));
        Assert.Equal(6, CountOf(dom, "<polyline"));
        Assert.Contains("85.00 %", dom);
        Assert.DoesNotContain(":CONSOLE", domLog);

        var shot = Path.Combine(AppContext.BaseDirectory, "report-screenshot.png");
        File.Delete(shot);
        var (_, shotLog) = RunChromium("--window-size=1280,1400", $"--screenshot={shot}", url);
        Assert.DoesNotContain(":CONSOLE", shotLog);
        var bytes = File.ReadAllBytes(shot);
        Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(1400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        Assert.True(bytes.Length > 20_000, $"the screenshot is {bytes.Length} bytes: the page looks blank");
    }

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
