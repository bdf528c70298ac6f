namespace ReLICv2.Optim;

/// <summary>
/// The learning-rate schedule of BYOL/ReLICv2 (docs/method.md §6.4): linear warm-up then cosine decay, as a multiplier of the base
/// learning rate. With s the batch-size scale (batch / reference, or 1 when no batch size is given), W warm-up steps, T total
/// steps and f the final fraction:
/// <code>
/// m(k) = s · k / W                                                   for k &lt; W
/// m(k) = s · (f + (1 − f) · ½(1 + cos(π · min(k − W, T − W) / (T − W))))   for k ≥ W
/// </code>
/// so the rate rises from 0 to s·η₀ over the warm-up and decays to f·s·η₀ at step T (BYOL: f = 0, lr = base · batch/256).
/// Set <see cref="Optimizer.LearningRateMultiplier"/> to <see cref="Multiplier"/>(k) before step k.
/// A schedule re-planned after its warm-up (<see cref="Bend"/>) replaces (k − W)/(T − W) in the cosine by a progress that is
/// piecewise linear through its <see cref="Bends"/>, so that the rate does not jump where the plan changed.
/// </summary>
public sealed record WarmupCosineSchedule
{
    /// <summary>Creates the schedule; every value is range-checked.</summary>
    public WarmupCosineSchedule(long totalSteps, long warmupSteps = 0, double finalFraction = 0, long? batchSize = null, long referenceBatchSize = 256,
        IEnumerable<ScheduleBend>? bends = null)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "WarmupCosineSchedule: totalSteps must be >= 1");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"WarmupCosineSchedule: warmupSteps must be in [0, totalSteps = {totalSteps}]");
        if (!(finalFraction is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(finalFraction), finalFraction, "WarmupCosineSchedule: finalFraction must be in [0, 1]");
        if (batchSize is < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "WarmupCosineSchedule: batchSize must be >= 1");
        if (referenceBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(referenceBatchSize), referenceBatchSize, "WarmupCosineSchedule: referenceBatchSize must be >= 1");
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        FinalFraction = finalFraction;
        BatchSize = batchSize;
        ReferenceBatchSize = referenceBatchSize;
        bendArray = DecayProgress.Check(bends, warmupSteps, totalSteps, nameof(WarmupCosineSchedule), nameof(bends));
    }

    private readonly ScheduleBend[] bendArray;

    /// <summary>Where the decay was re-planned while it ran (<see cref="Bend"/>); empty for a schedule planned once.</summary>
    public IReadOnlyList<ScheduleBend> Bends => bendArray;

    public long TotalSteps { get; }

    public long WarmupSteps { get; }

    /// <summary>The multiplier at the end of the decay, as a fraction of the peak.</summary>
    public double FinalFraction { get; }

    /// <summary>The training batch size for the linear scaling rule, or null for no scaling.</summary>
    public long? BatchSize { get; }

    /// <summary>The batch size at which the base rate applies unscaled (256).</summary>
    public long ReferenceBatchSize { get; }

    /// <summary>The peak multiplier s = batch / reference (1 without a batch size).</summary>
    public double Peak => BatchSize is { } b ? (double)b / ReferenceBatchSize : 1.0;

    /// <summary>The learning-rate multiplier m(k) before step <paramref name="step"/> (0-based; steps past the end keep the final value).</summary>
    public double Multiplier(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "WarmupCosineSchedule: step must be >= 0");
        if (step < WarmupSteps) return Peak * step / WarmupSteps;
        double progress;
        if (bendArray.Length == 0)
        {
            var span = Math.Max(1, TotalSteps - WarmupSteps);
            progress = Math.Min(step - WarmupSteps, span) / (double)span;
        }
        else
            progress = DecayProgress.At(step, WarmupSteps, TotalSteps, bendArray);
        return Peak * (FinalFraction + (1 - FinalFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>
    /// This schedule re-planned at step <paramref name="atStep"/> (past the warm-up) to end at <paramref name="totalSteps"/>:
    /// the multipliers before <paramref name="atStep"/> and at it are unchanged, and the rest of the cosine is stretched or
    /// squeezed to end at the new length.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="atStep"/> inside the warm-up or not before the current
    /// end, or a new length not beyond <paramref name="atStep"/>.</exception>
    public WarmupCosineSchedule Bend(long atStep, long totalSteps)
    {
        if (atStep < WarmupSteps || atStep >= TotalSteps)
            throw new ArgumentOutOfRangeException(nameof(atStep), atStep, $"WarmupCosineSchedule.Bend: atStep must be in [warm-up {WarmupSteps}, end {TotalSteps - 1}]");
        if (totalSteps <= atStep)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"WarmupCosineSchedule.Bend: totalSteps must be > atStep = {atStep}");
        return new WarmupCosineSchedule(totalSteps, WarmupSteps, FinalFraction, BatchSize, ReferenceBatchSize,
            DecayProgress.BentAt(atStep, WarmupSteps, TotalSteps, bendArray));
    }

    public bool Equals(WarmupCosineSchedule? other) =>
        other is not null && TotalSteps == other.TotalSteps && WarmupSteps == other.WarmupSteps && FinalFraction.Equals(other.FinalFraction)
        && BatchSize == other.BatchSize && ReferenceBatchSize == other.ReferenceBatchSize && DecayProgress.SameBends(bendArray, other.bendArray);

    public override int GetHashCode() =>
        HashCode.Combine(TotalSteps, WarmupSteps, FinalFraction, BatchSize, ReferenceBatchSize, DecayProgress.Hash(bendArray));
}
