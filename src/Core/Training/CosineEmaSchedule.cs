using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// BYOL's cosine EMA schedule (Grill et al. 2020, §3.2; docs/method.md §6.2): γ_k = 1 − (1 − γ_base)·(cos(πk/K) + 1)/2 with k clamped to
/// [0, K], so γ_0 = γ_base exactly, γ rises monotonically and γ_k = 1 exactly for k ≥ K. A schedule re-planned while it
/// ran (<see cref="Bend"/>) replaces k/K by a progress that is piecewise linear through its <see cref="Bends"/>, so that
/// γ does not jump where the plan changed.
/// </summary>
public sealed record CosineEmaSchedule : EmaSchedule
{
    public CosineEmaSchedule(double baseGamma, long totalUpdates, IEnumerable<ScheduleBend>? bends = null)
    {
        if (!(baseGamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(baseGamma), baseGamma, "CosineEmaSchedule: baseGamma must be in [0, 1]");
        if (totalUpdates < 1) throw new ArgumentOutOfRangeException(nameof(totalUpdates), totalUpdates, "CosineEmaSchedule: totalUpdates must be >= 1");
        BaseGamma = baseGamma;
        TotalUpdates = totalUpdates;
        bendArray = DecayProgress.Check(bends, 0, totalUpdates, nameof(CosineEmaSchedule), nameof(bends));
    }

    private readonly ScheduleBend[] bendArray;

    /// <summary>γ_base, the coefficient at the first update (paper: 0.99–0.996).</summary>
    public double BaseGamma { get; }

    /// <summary>K, the update at which γ reaches 1 (usually the total number of training steps).</summary>
    public long TotalUpdates { get; }

    /// <summary>Where the ramp was re-planned while it ran (<see cref="Bend"/>); empty for a schedule planned once.</summary>
    public IReadOnlyList<ScheduleBend> Bends => bendArray;

    public override double Gamma(long update)
    {
        if (update <= 0) return BaseGamma;
        if (update >= TotalUpdates) return 1.0;
        var progress = bendArray.Length == 0 ? (double)update / TotalUpdates : DecayProgress.At(update, 0, TotalUpdates, bendArray);
        var g = 1 - (1 - BaseGamma) * (Math.Cos(Math.PI * progress) + 1) / 2;
        return Math.Clamp(g, BaseGamma, 1.0);
    }

    /// <summary>
    /// This schedule re-planned at update <paramref name="atUpdate"/> to reach 1 at <paramref name="totalUpdates"/>: γ before
    /// and at <paramref name="atUpdate"/> is unchanged, and the rest of the ramp is stretched or squeezed to the new length.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="atUpdate"/> outside [0, K − 1], or a new length not beyond it.</exception>
    public CosineEmaSchedule Bend(long atUpdate, long totalUpdates)
    {
        if (atUpdate < 0 || atUpdate >= TotalUpdates)
            throw new ArgumentOutOfRangeException(nameof(atUpdate), atUpdate, $"CosineEmaSchedule.Bend: atUpdate must be in [0, {TotalUpdates - 1}]");
        if (totalUpdates <= atUpdate)
            throw new ArgumentOutOfRangeException(nameof(totalUpdates), totalUpdates, $"CosineEmaSchedule.Bend: totalUpdates must be > atUpdate = {atUpdate}");
        return new CosineEmaSchedule(BaseGamma, totalUpdates, DecayProgress.BentAt(atUpdate, 0, TotalUpdates, bendArray));
    }

    public bool Equals(CosineEmaSchedule? other) =>
        other is not null && BaseGamma.Equals(other.BaseGamma) && TotalUpdates == other.TotalUpdates && DecayProgress.SameBends(bendArray, other.bendArray);

    public override int GetHashCode() => HashCode.Combine(BaseGamma, TotalUpdates, DecayProgress.Hash(bendArray));
}
