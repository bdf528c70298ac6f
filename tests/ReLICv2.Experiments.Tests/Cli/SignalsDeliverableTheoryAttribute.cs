using ReLICv2.Experiments.Launch;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// A theory that sends SIGINT to processes this one starts: skipped, with the reason, when this process was started
/// with SIGINT ignored, since its children inherit that and a shell's trap cannot undo it.
/// </summary>
public sealed class SignalsDeliverableTheoryAttribute : TheoryAttribute
{
    public SignalsDeliverableTheoryAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "relic launch forwards POSIX signals: Linux or macOS only";
        else if (PosixSignals.IsIgnored(PosixSignals.SIGINT)) Skip = "this test process was started with SIGINT ignored, and so would be the launcher and its ranks";
    }
}
