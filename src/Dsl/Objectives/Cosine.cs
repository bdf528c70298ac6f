namespace ReLICv2.Objectives;

/// <summary>Mean cosine similarity mean_i ⟨â_i, b̂_i⟩ (BYOL: 2 − 2·cos(p, sg[z])); printed <c>cos(a, b)</c>.</summary>
/// <param name="Left">Embeddings a.</param>
/// <param name="Right">Embeddings b.</param>
public sealed record Cosine(Expr<Embeddings> Left, Expr<Embeddings> Right) : Objective
{
    /// <summary>Embeddings a.</summary>
    public Expr<Embeddings> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Embeddings b.</summary>
    public Expr<Embeddings> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"cos({Left}, {Right})";
}
