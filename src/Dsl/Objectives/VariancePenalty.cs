namespace ReLICv2.Objectives;

/// <summary>VICReg variance term mean_d relu(1 − sqrt(Var_d(x) + ε)) with the unbiased batch variance, ε = 1e-4; printed <c>var(x)</c>.</summary>
/// <param name="Input">The embeddings.</param>
/// <param name="Eps">ε ≥ 0 added to the variance.</param>
public sealed record VariancePenalty(Expr<Embeddings> Input, double Eps = 1e-4) : Objective
{
    /// <summary>The embeddings.</summary>
    public Expr<Embeddings> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; } = Check(Eps);

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => Eps == 1e-4 ? $"var({Input})" : $"var({Input}, ε={Num(Eps)})";

    private static double Check(double eps)
    {
        RequireNonNegative(eps, nameof(Eps), nameof(VariancePenalty));
        return eps;
    }
}
