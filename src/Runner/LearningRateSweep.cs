using System.Globalization;

namespace ReLICv2.Experiments;

/// <summary>
/// The supervised recipe's learning-rate sweep (docs/evaluation.md §2): the rates tried and the held-out top-1 each gave.
/// <see cref="Best"/> is the rate of the highest score; a score that is not a number (a diverged run) never wins, and of equal
/// scores the first rate tried wins. A sweep of one rate and no scores is no sweep: that rate is the best.
/// </summary>
public sealed record LearningRateSweep
{
    /// <summary>Creates a sweep; there must be one score per rate (or one rate and no score).</summary>
    public LearningRateSweep(IReadOnlyList<double> learningRates, IReadOnlyList<double> heldOutTop1)
    {
        ArgumentNullException.ThrowIfNull(learningRates);
        ArgumentNullException.ThrowIfNull(heldOutTop1);
        if (learningRates.Count == 0) throw new ArgumentException("LearningRateSweep.LearningRates must hold at least one rate", nameof(learningRates));
        foreach (var lr in learningRates)
            if (lr is not (> 0 and < double.PositiveInfinity))
                throw new ArgumentOutOfRangeException(nameof(learningRates), lr, "LearningRateSweep.LearningRates must be finite and > 0");
        if (heldOutTop1.Count != learningRates.Count && !(heldOutTop1.Count == 0 && learningRates.Count == 1))
            throw new ArgumentException($"LearningRateSweep: {learningRates.Count} rates but {heldOutTop1.Count} scores; give one score per rate", nameof(heldOutTop1));
        LearningRates = [.. learningRates];
        HeldOutTop1 = [.. heldOutTop1];
    }

    /// <summary>The rates tried, in order.</summary>
    public IReadOnlyList<double> LearningRates { get; }

    /// <summary>Held-out top-1 of each rate (NaN for a run that diverged).</summary>
    public IReadOnlyList<double> HeldOutTop1 { get; }

    /// <summary>The selected rate (see the type's summary).</summary>
    public double Best
    {
        get
        {
            var best = 0;
            for (var i = 1; i < HeldOutTop1.Count; i++)
                if (HeldOutTop1[i] > HeldOutTop1[best] || double.IsNaN(HeldOutTop1[best]) && !double.IsNaN(HeldOutTop1[i])) best = i;
            return LearningRates[best];
        }
    }

    /// <summary>"lr 0.1 (held-out top-1: 0.0333 → 81.2 %, 0.1 → 85.0 %, …)", for a result's note.</summary>
    public string Describe() => HeldOutTop1.Count == 0
        ? $"lr {Best.ToString("G3", CultureInfo.InvariantCulture)} (no sweep)"
        : $"lr {Best.ToString("G3", CultureInfo.InvariantCulture)} (held-out top-1: " + string.Join(", ", LearningRates.Zip(HeldOutTop1,
            (lr, s) => $"{lr.ToString("G3", CultureInfo.InvariantCulture)} → {(double.IsNaN(s) ? "diverged" : (100 * s).ToString("F1", CultureInfo.InvariantCulture) + " %")}")) + ")";

    public bool Equals(LearningRateSweep? other) =>
        other is not null && LearningRates.SequenceEqual(other.LearningRates) && HeldOutTop1.SequenceEqual(other.HeldOutTop1);

    public override int GetHashCode() => HashCode.Combine(LearningRates.Count, Best);
}
