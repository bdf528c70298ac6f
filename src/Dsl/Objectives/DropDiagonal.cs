namespace ReLICv2.Objectives;

/// <summary>
/// A square logit matrix with its diagonal removed, [N, N − 1]: each anchor's relation to the other batch elements
/// (ReSSL batch relations, SimCLR's same-view negatives). The result has no positive. Printed <c>dropdiag(L)</c>.
/// </summary>
/// <param name="Input">A square logit matrix.</param>
public sealed record DropDiagonal(Expr<Logits> Input) : Expr<Logits>
{
    /// <summary>The square logit matrix.</summary>
    public Expr<Logits> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"dropdiag({Input})";
}
