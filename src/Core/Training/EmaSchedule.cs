namespace ReLICv2.Training;

/// <summary>
/// The EMA coefficient γ_k of the target network after update k (docs/method.md §6.2): constant, or cosine from γ_base to 1 (BYOL).
/// Schedules are values: compare, print and store them.
/// </summary>
public abstract record EmaSchedule
{
    /// <summary>γ for update number <paramref name="update"/> (0-based).</summary>
    public abstract double Gamma(long update);

    /// <summary>γ_k = <paramref name="gamma"/> for every k.</summary>
    public static EmaSchedule Constant(double gamma) => new ConstantEmaSchedule(gamma);

    /// <summary>γ_k = 1 − (1 − γ_base)·(cos(πk/K) + 1)/2 for k ≤ K, then 1 (BYOL's target_ema).</summary>
    public static EmaSchedule Cosine(double baseGamma, long totalUpdates) => new CosineEmaSchedule(baseGamma, totalUpdates);
}
