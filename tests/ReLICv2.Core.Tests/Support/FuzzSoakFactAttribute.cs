using Xunit;

namespace ReLICv2.Tests;

/// <summary>A long run of the engine fuzzer, on demand: skipped, with the way to run it, unless RELIC_FUZZ_SEEDS is set.</summary>
public sealed class FuzzSoakFactAttribute : FactAttribute
{
    public FuzzSoakFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("RELIC_FUZZ_SEEDS")))
            Skip = "a soak run on demand: set RELIC_FUZZ_SEEDS=1,2,3 (and optionally RELIC_FUZZ_CALLS, default 100000 per seed, " +
                   "and RELIC_FUZZ_TRACE=<file> to log every call, which names the call that ended a crashed run)";
    }
}
