namespace ReLICv2.Objectives;

/// <summary>Barlow Twins redundancy-reduction term Σ_{i≠j} C_ij²; printed <c>ΣCᵢⱼ²[C]</c> (off-diagonal entries only).</summary>
/// <param name="Input">The correlation matrix C.</param>
public sealed record OffDiagonalPenalty(Expr<Correlation> Input) : Objective
{
    /// <summary>The correlation matrix C.</summary>
    public Expr<Correlation> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"ΣCᵢⱼ²[{Input}]";
}
