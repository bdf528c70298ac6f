namespace ReLICv2.Training;

/// <summary>
/// BYOL's cosine EMA schedule (Grill et al. 2020, §3.2; docs/method.md §6.2): γ_k = 1 − (1 − γ_base)·(cos(πk/K) + 1)/2 with k clamped to
/// [0, K], so γ_0 = γ_base exactly, γ rises monotonically and γ_k = 1 exactly for k ≥ K.
/// </summary>
public sealed record CosineEmaSchedule : EmaSchedule
{
    public CosineEmaSchedule(double baseGamma, long totalUpdates)
    {
        if (!(baseGamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(baseGamma), baseGamma, "CosineEmaSchedule: baseGamma must be in [0, 1]");
        if (totalUpdates < 1) throw new ArgumentOutOfRangeException(nameof(totalUpdates), totalUpdates, "CosineEmaSchedule: totalUpdates must be >= 1");
        BaseGamma = baseGamma;
        TotalUpdates = totalUpdates;
    }

    /// <summary>γ_base, the coefficient at the first update (paper: 0.99–0.996).</summary>
    public double BaseGamma { get; }

    /// <summary>K, the update at which γ reaches 1 (usually the total number of training steps).</summary>
    public long TotalUpdates { get; }

    public override double Gamma(long update)
    {
        if (update <= 0) return BaseGamma;
        if (update >= TotalUpdates) return 1.0;
        var g = 1 - (1 - BaseGamma) * (Math.Cos(Math.PI * update / TotalUpdates) + 1) / 2;
        return Math.Clamp(g, BaseGamma, 1.0);
    }
}
