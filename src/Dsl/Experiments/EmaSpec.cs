namespace ReLICv2.Experiments;

/// <summary>The EMA target's decay: γ_base, and whether it follows BYOL's cosine schedule to 1 or stays constant.</summary>
public sealed record EmaSpec
{
    public EmaSpec(double baseGamma = 0.996, bool cosine = true)
    {
        BaseGamma = baseGamma is >= 0 and <= 1 ? baseGamma : throw new ArgumentOutOfRangeException(nameof(baseGamma), baseGamma, "EmaSpec.BaseGamma must be in [0, 1]");
        Cosine = cosine;
    }

    public double BaseGamma { get; }

    public bool Cosine { get; }
}
