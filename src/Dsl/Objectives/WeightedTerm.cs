namespace ReLICv2.Objectives;

/// <summary>One term w·ℓ of a <see cref="WeightedSum"/>.</summary>
public sealed record WeightedTerm
{
    /// <summary>Creates the term <paramref name="weight"/>·<paramref name="term"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight is not finite.</exception>
    public WeightedTerm(double weight, Objective term)
    {
        if (!double.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "WeightedTerm: weight must be finite.");
        Weight = weight;
        Term = term ?? throw new ArgumentNullException(nameof(term));
    }

    /// <summary>The weight w.</summary>
    public double Weight { get; init; }

    /// <summary>The scalar term ℓ.</summary>
    public Objective Term { get; init; }
}
