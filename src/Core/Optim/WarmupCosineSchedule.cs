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
/// </summary>
public sealed record WarmupCosineSchedule
{
    /// <summary>Creates the schedule; every value is range-checked.</summary>
    public WarmupCosineSchedule(long totalSteps, long warmupSteps = 0, double finalFraction = 0, long? batchSize = null, long referenceBatchSize = 256)
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
    }

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
        var span = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Min(step - WarmupSteps, span) / (double)span;
        return Peak * (FinalFraction + (1 - FinalFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
