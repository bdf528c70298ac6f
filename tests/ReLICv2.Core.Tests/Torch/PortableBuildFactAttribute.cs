using Xunit;

namespace ReLICv2.Tests;

/// <summary>A fact about the default, portable build of the shim: skipped, with the reason, when RelicNativeArch=native asked for another.</summary>
public sealed class PortableBuildFactAttribute : FactAttribute
{
    public PortableBuildFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RelicNativeArch")?.Trim() == "native")
            Skip = "RelicNativeArch=native: this checkout's shim was compiled for the build machine on purpose";
    }
}
