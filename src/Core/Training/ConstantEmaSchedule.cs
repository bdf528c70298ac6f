namespace ReLICv2.Training;

/// <summary>A constant EMA coefficient γ in [0, 1] (γ = 0: the target is the online network; γ = 1: the target is frozen).</summary>
public sealed record ConstantEmaSchedule : EmaSchedule
{
    public ConstantEmaSchedule(double gamma)
    {
        if (!(gamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "ConstantEmaSchedule: gamma must be in [0, 1]");
        Value = gamma;
    }

    /// <summary>The coefficient γ.</summary>
    public double Value { get; }

    public override double Gamma(long update) => Value;
}
