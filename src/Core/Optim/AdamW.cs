namespace ReLICv2.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019), as torch.optim.AdamW: with t the parameter's step count,
/// θ ← θ(1 − ηλ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// State per parameter: <c>exp_avg</c> (m) and <c>exp_avg_sq</c> (v).
/// </summary>
public sealed class AdamW : Optimizer
{
    private readonly IReadOnlyList<ParameterGroup<AdamWOptions>> groups;

    /// <summary>One group: all <paramref name="parameters"/> with <paramref name="options"/>.</summary>
    public AdamW(IReadOnlyList<Tensor> parameters, AdamWOptions options) : this([new ParameterGroup<AdamWOptions>(parameters, options)])
    {
    }

    /// <summary>Several groups, each with its own options.</summary>
    public AdamW(IReadOnlyList<ParameterGroup<AdamWOptions>> groups) : base(Check(groups)) => this.groups = groups;

    public override string Kind => "AdamW";

    public override int GroupCount => groups.Count;

    public override double BaseLearningRate(int group) => groups[group].Options.LearningRate;

    /// <summary>The options of group <paramref name="group"/>.</summary>
    public AdamWOptions Options(int group) => groups[group].Options;

    protected override void Update(Tensor parameter, Tensor grad, ParameterSlot slot, int group, double learningRate)
    {
        var o = groups[group].Options;
        var m = slot.Get("exp_avg") ?? slot.Set("exp_avg", Torch.Zeros(parameter.Shape, parameter.DType, parameter.Device));
        var v = slot.Get("exp_avg_sq") ?? slot.Set("exp_avg_sq", Torch.Zeros(parameter.Shape, parameter.DType, parameter.Device));
        var t = (double)slot.Steps;
        parameter.Mul_(1 - learningRate * o.WeightDecay);
        m.Mul_(o.Beta1);
        m.Add_(grad, 1 - o.Beta1);
        v.Mul_(o.Beta2);
        v.AddCMul_(grad, grad, 1 - o.Beta2);
        var stepSize = learningRate / (1 - Math.Pow(o.Beta1, t));
        var correction2Sqrt = Math.Sqrt(1 - Math.Pow(o.Beta2, t));
        var denominator = v.Sqrt().Div(correction2Sqrt);
        denominator.Add_(o.Eps);
        parameter.AddCDiv_(m, denominator, -stepSize);
    }
}
