namespace ReLICv2.Objectives;

/// <summary>Mean per-row entropy H̄(P) = −mean_i Σ_j P_ij log P_ij (TWIST eq. 5); printed <c>H̄(P)</c>.</summary>
/// <param name="Input">The row distributions.</param>
public sealed record Entropy(Expr<Distribution> Input) : Objective
{
    /// <summary>The row distributions.</summary>
    public Expr<Distribution> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"H̄({Input})";
}
