namespace ReLICv2.Objectives;

/// <summary>Row softmax P_ij = exp(L_ij) / Σ_j exp(L_ij) of a logit matrix (log-softmax when compiled, for exact KL/CE); printed <c>softmax(L)</c>.</summary>
/// <param name="Input">The logits.</param>
public sealed record Softmax(Expr<Logits> Input) : Expr<Distribution>
{
    /// <summary>The logits.</summary>
    public Expr<Logits> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"softmax({Input})";
}
