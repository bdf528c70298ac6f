namespace ReLICv2.Objectives;

/// <summary>Barlow Twins invariance term Σ_i (1 − C_ii)²; printed <c>Σ(1−Cᵢᵢ)²[C]</c>.</summary>
/// <param name="Input">The correlation matrix C.</param>
public sealed record OnDiagonalPenalty(Expr<Correlation> Input) : Objective
{
    /// <summary>The correlation matrix C.</summary>
    public Expr<Correlation> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"Σ(1−Cᵢᵢ)²[{Input}]";
}
