namespace ReLICv2.Dsl;

/// <summary>Facts about the declarative layer: the ReLICv2.NET version it belongs to.</summary>
public static class DslInfo
{
    /// <summary>The framework version (the same as <see cref="Torch.FrameworkVersion"/>).</summary>
    public static string Version => Torch.FrameworkVersion;
}
