namespace ReLICv2.Objectives;

/// <summary>C = aᵀ b / N, the D × D cross-correlation of two (standardised) embeddings (Barlow Twins eq. 2); printed <c>corr(a, b)</c>.</summary>
/// <param name="Left">Embeddings a [N, D].</param>
/// <param name="Right">Embeddings b [N, D].</param>
public sealed record CrossCorrelation(Expr<Embeddings> Left, Expr<Embeddings> Right) : Expr<Correlation>
{
    /// <summary>Embeddings a.</summary>
    public Expr<Embeddings> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Embeddings b.</summary>
    public Expr<Embeddings> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"corr({Left}, {Right})";
}
