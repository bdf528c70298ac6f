namespace ReLICv2.Optim;

/// <summary>Options of <see cref="Sgd"/> (torch.optim.SGD's lr, momentum, dampening, weight_decay, nesterov).</summary>
public sealed record SgdOptions : OptimizerOptions
{
    /// <summary>Creates the options; every value is range-checked.</summary>
    public SgdOptions(double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        Validate();
    }

    /// <summary>Momentum μ in [0, 1).</summary>
    public double Momentum { get; init => field = InRange(value, 0, 1, nameof(Momentum), maxExclusive: true); }

    /// <summary>Dampening τ in [0, 1]: the gradient enters the momentum buffer with weight 1 − τ.</summary>
    public double Dampening { get; init => field = InRange(value, 0, 1, nameof(Dampening)); }

    /// <summary>L2 weight decay λ ≥ 0, added to the gradient (g + λθ).</summary>
    public double WeightDecay { get; init => field = InRange(value, 0, double.MaxValue, nameof(WeightDecay)); }

    /// <summary>Nesterov momentum (needs μ &gt; 0 and τ = 0).</summary>
    public bool Nesterov { get; init; }

    public override void Validate()
    {
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentException($"SgdOptions: Nesterov needs Momentum > 0 and Dampening = 0 (got Momentum {Momentum}, Dampening {Dampening})", nameof(Nesterov));
    }
}
