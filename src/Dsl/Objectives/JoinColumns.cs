namespace ReLICv2.Objectives;

/// <summary>
/// [A | B]: the candidates of B appended to those of A row by row (SimCLR's 2N-way softmax joins the cross-view and
/// same-view similarities). The positive, if any, is A's. Printed <c>[A | B]</c>.
/// </summary>
/// <param name="Left">The logits holding the positive.</param>
/// <param name="Right">Further candidates.</param>
public sealed record JoinColumns(Expr<Logits> Left, Expr<Logits> Right) : Expr<Logits>
{
    /// <summary>The logits holding the positive.</summary>
    public Expr<Logits> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Further candidates.</summary>
    public Expr<Logits> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"[{Left} | {Right}]";
}
