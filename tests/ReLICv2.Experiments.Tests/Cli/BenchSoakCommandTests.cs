using System.Text.Json;
using ReLICv2.Experiments;
using Xunit;

namespace ReLICv2.Tests;

/// <summary><c>relic bench soak</c> with tiny --steps/--every: one JSON line per sample, a summary, an exit code that says whether it was flat.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class BenchSoakCommandTests
{
    [Fact]
    public void A_short_soak_prints_a_sample_per_interval_and_a_summary_whose_verdict_is_the_exit_code()
    {
        var leftover = Directory.GetDirectories(Path.GetTempPath(), "relic-soak-*").Length;
        var (code, output, error) = CommandLineTests.Run("bench", "soak", "--steps", "8", "--every", "4", "--threads", "1");
        var lines = output.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines.Count == 3, output + error);

        var samples = lines[..2];
        Assert.Equal([4L, 8L], samples.Select(s => s.GetProperty("step").GetInt64()));
        foreach (var s in samples)
        {
            Assert.Equal(BenchSoakCommand.Workload, s.GetProperty("workload").GetString());
            Assert.InRange(s.GetProperty("rss_mib").GetDouble(), 10, 1 << 20);
            Assert.InRange(s.GetProperty("live_tensors").GetInt64(), 1, 1_000_000);
            Assert.True(s.GetProperty("live_tensors_before_gc").GetInt64() >= s.GetProperty("live_tensors").GetInt64());
            Assert.True(double.IsFinite(s.GetProperty("loss").GetDouble()));
            foreach (var name in new[] { "elapsed_s", "managed_mib", "cpu_cache_idle_mib" }) Assert.True(s.GetProperty(name).GetDouble() >= 0, name);
        }

        var summary = lines[2];
        Assert.True(summary.GetProperty("summary").GetBoolean());
        Assert.Equal(8, summary.GetProperty("steps").GetInt32());
        Assert.Equal(4, summary.GetProperty("every").GetInt32());
        Assert.Equal(4, summary.GetProperty("baseline_step").GetInt64());
        Assert.Equal(8, summary.GetProperty("last_step").GetInt64());
        Assert.Equal(samples[0].GetProperty("rss_mib").GetDouble(), summary.GetProperty("rss_start_mib").GetDouble());
        Assert.Equal(samples[1].GetProperty("rss_mib").GetDouble(), summary.GetProperty("rss_end_mib").GetDouble());
        Assert.Equal(samples[1].GetProperty("live_tensors").GetInt64() - samples[0].GetProperty("live_tensors").GetInt64(),
            summary.GetProperty("live_tensors_growth").GetInt64());
        Assert.Equal(BenchSoakCommand.RssToleranceMiB, summary.GetProperty("rss_tolerance_mib").GetDouble());
        Assert.Equal(BenchSoakCommand.HandleTolerance, summary.GetProperty("live_tensors_tolerance").GetInt64());
        var flat = summary.GetProperty("rss_growth_mib").GetDouble() <= BenchSoakCommand.RssToleranceMiB
            && summary.GetProperty("live_tensors_growth").GetInt64() <= BenchSoakCommand.HandleTolerance;
        Assert.Equal(flat, summary.GetProperty("flat").GetBoolean());
        Assert.Equal(flat ? 0 : 1, code);
        Assert.Equal(leftover, Directory.GetDirectories(Path.GetTempPath(), "relic-soak-*").Length);
    }

    [Theory]
    [InlineData("--steps 6", "--steps must be a multiple of 4 in [4, 1000000], got 6")]
    [InlineData("--steps 8 --every 6", "--every must be a multiple of 4 (the steps of an epoch, so that samples find the loader idle) in [4, 8], got 6")]
    [InlineData("--steps 8 --every 12", "in [4, 8], got 12")]
    [InlineData("--steps 8 --every 4 --warmup 8", "--warmup must be in [0, 7] (a baseline sample must follow it), got 8")]
    [InlineData("--threads 0", "--threads must be in [1, 256], got 0")]
    public void Bad_soak_arguments_give_a_one_line_error_and_exit_code_2(string args, string message)
    {
        var (code, _, error) = CommandLineTests.Run(["bench", "soak", .. args.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
