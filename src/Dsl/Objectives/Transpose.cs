namespace ReLICv2.Objectives;

/// <summary>
/// Lᵀ of a square logit matrix: row i of Lᵀ is column i of L, so a row softmax of Lᵀ is the column softmax of L
/// (ReLIC's P^{t→a}). Printed <c>(L)ᵀ</c>.
/// </summary>
/// <param name="Input">A square logit matrix.</param>
public sealed record Transpose(Expr<Logits> Input) : Expr<Logits>
{
    /// <summary>The square logit matrix.</summary>
    public Expr<Logits> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"({Input})ᵀ";
}
