namespace ReLICv2.Optim;

/// <summary>
/// Stochastic gradient descent with momentum, as torch.optim.SGD (the linear-evaluation optimiser, docs/method.md §7):
/// d = g + λθ; b ← d at the first step, else b ← μb + (1 − τ)d; d ← d + μb (Nesterov) or d ← b; θ ← θ − η·d.
/// State per parameter: <c>momentum_buffer</c> (when μ &gt; 0).
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly IReadOnlyList<ParameterGroup<SgdOptions>> groups;

    /// <summary>One group: all <paramref name="parameters"/> with <paramref name="options"/>.</summary>
    public Sgd(IReadOnlyList<Tensor> parameters, SgdOptions options) : this([new ParameterGroup<SgdOptions>(parameters, options)])
    {
    }

    /// <summary>Several groups, each with its own options.</summary>
    public Sgd(IReadOnlyList<ParameterGroup<SgdOptions>> groups) : base(Check(groups)) => this.groups = groups;

    public override string Kind => "SGD";

    public override int GroupCount => groups.Count;

    public override double BaseLearningRate(int group) => groups[group].Options.LearningRate;

    /// <summary>The options of group <paramref name="group"/>.</summary>
    public SgdOptions Options(int group) => groups[group].Options;

    protected override void Update(Tensor parameter, Tensor grad, ParameterSlot slot, int group, double learningRate)
    {
        var o = groups[group].Options;
        var d = o.WeightDecay != 0 ? grad.Add(parameter, o.WeightDecay) : grad;
        if (o.Momentum != 0)
        {
            var buffer = slot.Get("momentum_buffer");
            if (buffer is null)
                buffer = slot.Set("momentum_buffer", d.Clone());
            else
            {
                buffer.Mul_(o.Momentum);
                buffer.Add_(d, 1 - o.Dampening);
            }
            d = o.Nesterov ? d.Add(buffer, o.Momentum) : buffer;
        }
        parameter.Add_(d, -learningRate);
    }
}
