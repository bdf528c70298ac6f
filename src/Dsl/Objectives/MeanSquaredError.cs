namespace ReLICv2.Objectives;

/// <summary>Mean squared error mean_{i,d} (a_id − b_id)² over all N·D elements (VICReg invariance term); printed <c>MSE(a, b)</c>.</summary>
/// <param name="Left">Embeddings a.</param>
/// <param name="Right">Embeddings b.</param>
public sealed record MeanSquaredError(Expr<Embeddings> Left, Expr<Embeddings> Right) : Objective
{
    /// <summary>Embeddings a.</summary>
    public Expr<Embeddings> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Embeddings b.</summary>
    public Expr<Embeddings> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"MSE({Left}, {Right})";
}
