namespace ReLICv2.Optim;

/// <summary>
/// Options of <see cref="Lars"/>. The paper's settings (docs/method.md §6.3, §6.4; BYOL configs): momentum 0.9, trust coefficient 1e-3,
/// weight decay 1e-6 (1.5e-6 at 1000 epochs), base learning rate 0.2–0.3 per 256 images; biases and BatchNorm parameters get
/// <see cref="Adapt"/> = false and no weight decay (see <see cref="Lars.ExcludingBiasAndNorm"/>).
/// </summary>
public sealed record LarsOptions : OptimizerOptions
{
    /// <summary>Creates the options; every value is range-checked.</summary>
    public LarsOptions(double learningRate, double momentum = 0.9, double weightDecay = 0, double trustCoefficient = 1e-3, bool adapt = true,
        bool nesterov = false)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        TrustCoefficient = trustCoefficient;
        Adapt = adapt;
        Nesterov = nesterov;
    }

    /// <summary>Momentum μ in [0, 1).</summary>
    public double Momentum { get; init => field = InRange(value, 0, 1, nameof(Momentum), maxExclusive: true); }

    /// <summary>Weight decay λ ≥ 0, added to the gradient before the trust ratio (u = g + λθ).</summary>
    public double WeightDecay { get; init => field = InRange(value, 0, double.MaxValue, nameof(WeightDecay)); }

    /// <summary>Trust coefficient η_LARS &gt; 0 (paper: 1e-3).</summary>
    public double TrustCoefficient { get; init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(TrustCoefficient), value, "LarsOptions: TrustCoefficient must be finite and > 0"); }

    /// <summary>Whether the layer-wise trust ratio is applied (false for biases and BatchNorm parameters).</summary>
    public bool Adapt { get; init; }

    /// <summary>Nesterov momentum: the step uses u + μv instead of v.</summary>
    public bool Nesterov { get; init; }
}
