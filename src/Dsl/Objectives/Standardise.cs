namespace ReLICv2.Objectives;

/// <summary>
/// Per-dimension batch standardisation (x − mean) / sqrt(biased Var + ε), as BatchNorm1d(affine=False) in training
/// mode (Barlow Twins, ε = 1e-5); printed <c>standardise(x)</c>.
/// </summary>
/// <param name="Input">The embeddings to standardise.</param>
/// <param name="Eps">ε ≥ 0 added to the variance.</param>
public sealed record Standardise(Expr<Embeddings> Input, double Eps = 1e-5) : Expr<Embeddings>
{
    /// <summary>The embeddings to standardise.</summary>
    public Expr<Embeddings> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; } = Check(Eps);

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => Eps == 1e-5 ? $"standardise({Input})" : $"standardise({Input}, ε={Num(Eps)})";

    private static double Check(double eps)
    {
        RequireNonNegative(eps, nameof(Eps), nameof(Standardise));
        return eps;
    }
}
