namespace ReLICv2.Optim;

/// <summary>
/// Step decay of the learning rate (the semi-supervised fine-tuning schedule of the paper's appendix B.2): the base rate
/// until the first milestone, then multiplied by <see cref="Factor"/> at each milestone passed,
/// <c>m(k) = Factor^|{ m ∈ Milestones : m ≤ k }|</c>. Set <see cref="Optimizer.LearningRateMultiplier"/> to
/// <see cref="Multiplier"/>(k) before step k.
/// </summary>
public sealed record StepDecaySchedule
{
    /// <summary>Creates the schedule; milestones must be positive and strictly increasing, the factor in (0, 1].</summary>
    public StepDecaySchedule(IReadOnlyList<long> milestones, double factor)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        for (var i = 0; i < milestones.Count; i++)
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentOutOfRangeException(nameof(milestones), milestones[i],
                    $"StepDecaySchedule.Milestones must be >= 1 and strictly increasing (got {string.Join(", ", milestones)})");
        Factor = factor is > 0 and <= 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "StepDecaySchedule.Factor must be in (0, 1]");
        Milestones = [.. milestones];
    }

    /// <summary>The steps at which the rate is multiplied by <see cref="Factor"/>.</summary>
    public IReadOnlyList<long> Milestones { get; }

    /// <summary>The decay factor per milestone.</summary>
    public double Factor { get; }

    /// <summary>The learning-rate multiplier before step <paramref name="step"/> (0-based).</summary>
    public double Multiplier(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "StepDecaySchedule: step must be >= 0");
        return Math.Pow(Factor, Milestones.Count(m => m <= step));
    }

    public bool Equals(StepDecaySchedule? other) => other is not null && Factor.Equals(other.Factor) && Milestones.SequenceEqual(other.Milestones);

    public override int GetHashCode() => HashCode.Combine(Factor, Milestones.Count);
}
