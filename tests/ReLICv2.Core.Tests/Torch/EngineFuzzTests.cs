using Xunit;
using Xunit.Abstractions;

namespace ReLICv2.Tests;

/// <summary>
/// Random calls through the managed API (<see cref="EngineFuzzer"/>): wrong shapes, dtypes, devices and disposed handles
/// must end in managed exceptions, never in the death of the process, and leave no native handle behind.
/// Reads the process-wide live-handle count, so it runs alone. A run that crashes the test host names no call; rerun
/// it with RELIC_FUZZ_TRACE=&lt;file&gt;, whose last lines are the call that ended it.
/// </summary>
[Collection(nameof(LiveCountCollection))]
public class EngineFuzzTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20261201)]
    [InlineData(7)]
    public void Thousands_of_random_calls_fail_only_with_managed_exceptions_and_leak_no_handle(int seed) =>
        Fuzz(seed, 40_000, TimeSpan.FromSeconds(8)); // about 4 s each on the 2-core machine; the budget guards a slower one

    /// <summary>The same check for longer, on the seeds in RELIC_FUZZ_SEEDS.</summary>
    [FuzzSoakFact]
    public void A_soak_run_on_the_seeds_given_in_the_environment()
    {
        var calls = int.TryParse(Environment.GetEnvironmentVariable("RELIC_FUZZ_CALLS"), out var n) && n > 0 ? n : 100_000;
        foreach (var seed in Environment.GetEnvironmentVariable("RELIC_FUZZ_SEEDS")!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            Fuzz(int.Parse(seed, System.Globalization.CultureInfo.InvariantCulture), calls, TimeSpan.FromMinutes(10));
    }

    private void Fuzz(int seed, int calls, TimeSpan budget)
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        var baseline = Torch.LiveTensorCount;
        int ran;
        EngineFuzzer fuzzer;
        using (var trace = Environment.GetEnvironmentVariable("RELIC_FUZZ_TRACE") is { Length: > 0 } path ? new StreamWriter(path, append: true) { AutoFlush = true } : null)
        using (fuzzer = new EngineFuzzer(seed))
        {
            trace?.WriteLine($"seed {seed}");
            if (trace is not null) fuzzer.Trace = trace.WriteLine;
            ran = fuzzer.Run(calls, budget);
        }
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        output.WriteLine($"seed {seed}: {ran} calls, {fuzzer.Succeeded} succeeded, {fuzzer.Failed} failed " +
                         $"({string.Join(", ", fuzzer.FailuresByType.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))})");
        output.WriteLine("slowest: " + string.Join(", ", fuzzer.TimeByCall.OrderByDescending(kv => kv.Value).Take(8).Select(kv => $"{kv.Key} {kv.Value.TotalSeconds:F2} s")));
        Assert.True(fuzzer.Unexpected.Count == 0, $"seed {seed}: {fuzzer.Unexpected.Count} unexpected outcomes:\n" + string.Join("\n", fuzzer.Unexpected.Take(30)));
        Assert.Equal(baseline, Torch.LiveTensorCount);
        Assert.True(ran >= Math.Min(calls, 2000), $"only {ran} calls ran within {budget.TotalSeconds} s");
        Assert.True(fuzzer.Succeeded > ran / 10 && fuzzer.Failed > ran / 10, "the draws should both succeed and fail often");
    }
}
