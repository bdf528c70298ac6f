namespace ReLICv2.Objectives;

/// <summary>VICReg covariance term Σ_{i≠j} Cov(x)_ij² / D with Cov(x) = (x − x̄)ᵀ(x − x̄)/(N − 1); printed <c>cov(x)</c>.</summary>
/// <param name="Input">The embeddings.</param>
public sealed record CovariancePenalty(Expr<Embeddings> Input) : Objective
{
    /// <summary>The embeddings.</summary>
    public Expr<Embeddings> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"cov({Input})";
}
