namespace ReLICv2.Optim;

/// <summary>Options of <see cref="AdamW"/> (torch.optim.AdamW's lr, betas, eps, weight_decay; defaults as PyTorch).</summary>
public sealed record AdamWOptions : OptimizerOptions
{
    /// <summary>Creates the options; every value is range-checked.</summary>
    public AdamWOptions(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
    {
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    /// <summary>β₁ in [0, 1): decay of the first moment.</summary>
    public double Beta1 { get; init => field = InRange(value, 0, 1, nameof(Beta1), maxExclusive: true); }

    /// <summary>β₂ in [0, 1): decay of the second moment.</summary>
    public double Beta2 { get; init => field = InRange(value, 0, 1, nameof(Beta2), maxExclusive: true); }

    /// <summary>ε &gt; 0 added to the denominator.</summary>
    public double Eps { get; init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Eps), value, "AdamWOptions: Eps must be finite and > 0"); }

    /// <summary>Decoupled weight decay λ ≥ 0 (θ ← θ(1 − ηλ) before the Adam step).</summary>
    public double WeightDecay { get; init => field = InRange(value, 0, double.MaxValue, nameof(WeightDecay)); }
}
