using ReLICv2.Nn;

namespace ReLICv2.Optim;

/// <summary>
/// Layer-wise Adaptive Rate Scaling (You et al. 2017) as used by BYOL and ReLICv2 (BYOL's optimiser chain: add weight decay,
/// scale by trust ratio, momentum trace, scale by learning rate). For each parameter tensor θ with gradient g:
/// <code>
/// u = g + λθ                                    (λ = 0 for excluded parameters)
/// r = η_LARS · ‖θ‖ / ‖u‖  if ‖θ‖ &gt; 0 and ‖u‖ &gt; 0, else 1   (r = 1 for excluded parameters)
/// v ← μ·v + r·u                                 (v starts at 0)
/// θ ← θ − η · v        (Nesterov: θ ← θ − η · (r·u + μ·v))
/// </code>
/// with ‖·‖ the Frobenius norm of the whole tensor, η the scheduled learning rate, η_LARS the trust coefficient (1e-3).
/// Biases and BatchNorm parameters are excluded from both the trust ratio and weight decay: build the groups with
/// <see cref="ExcludingBiasAndNorm"/>. State per parameter: <c>momentum_buffer</c> (v).
/// </summary>
public sealed class Lars : Optimizer
{
    private readonly IReadOnlyList<ParameterGroup<LarsOptions>> groups;

    /// <summary>One group: all <paramref name="parameters"/> with <paramref name="options"/>.</summary>
    public Lars(IReadOnlyList<Tensor> parameters, LarsOptions options) : this([new ParameterGroup<LarsOptions>(parameters, options)])
    {
    }

    /// <summary>Several groups, each with its own options.</summary>
    public Lars(IReadOnlyList<ParameterGroup<LarsOptions>> groups) : base(Check(groups)) => this.groups = groups;

    /// <summary>
    /// The BYOL/ReLICv2 grouping: parameters of rank ≥ 2 (convolution and linear weights) with <paramref name="options"/>, and
    /// parameters of rank ≤ 1 (biases, BatchNorm γ and β) with no weight decay and no trust-ratio adaptation. Empty groups are omitted.
    /// </summary>
    public static IReadOnlyList<ParameterGroup<LarsOptions>> ExcludingBiasAndNorm(IEnumerable<NamedTensor> parameters, LarsOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        var list = parameters.ToList();
        var adapted = list.Where(p => p.Tensor.Rank >= 2).Select(p => p.Tensor).ToList();
        var excluded = list.Where(p => p.Tensor.Rank < 2).Select(p => p.Tensor).ToList();
        var result = new List<ParameterGroup<LarsOptions>>();
        if (adapted.Count > 0) result.Add(new ParameterGroup<LarsOptions>(adapted, options));
        if (excluded.Count > 0) result.Add(new ParameterGroup<LarsOptions>(excluded, options with { WeightDecay = 0, Adapt = false }));
        return result;
    }

    public override string Kind => "LARS";

    public override int GroupCount => groups.Count;

    public override double BaseLearningRate(int group) => groups[group].Options.LearningRate;

    /// <summary>The options of group <paramref name="group"/>.</summary>
    public LarsOptions Options(int group) => groups[group].Options;

    protected override void Update(Tensor parameter, Tensor grad, ParameterSlot slot, int group, double learningRate)
    {
        var o = groups[group].Options;
        var u = o.WeightDecay != 0 ? grad.Add(parameter, o.WeightDecay) : grad.Clone();
        if (o.Adapt)
        {
            var pn = parameter.Norm();
            var un = u.Norm();
            var ratio = Torch.Where(pn.Gt(0).LogicalAnd(un.Gt(0)), pn.Mul(o.TrustCoefficient).Div(un), Torch.Ones([], u.DType, u.Device));
            u.Mul_(ratio);
        }
        var v = slot.Get("momentum_buffer") ?? slot.Set("momentum_buffer", Torch.Zeros(parameter.Shape, parameter.DType, parameter.Device));
        v.Mul_(o.Momentum);
        v.Add_(u);
        parameter.Add_(o.Nesterov ? u.Add(v, o.Momentum) : v, -learningRate);
    }
}
