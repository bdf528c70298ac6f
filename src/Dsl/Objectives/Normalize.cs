namespace ReLICv2.Objectives;

/// <summary>Row-wise L2 normalisation x̂ = x / max(‖x‖, 1e-12); printed <c>ô</c>, <c>t̂</c>, or <c>normalize(x)</c>.</summary>
/// <param name="Input">The embeddings to normalise.</param>
public sealed record Normalize(Expr<Embeddings> Input) : Expr<Embeddings>
{
    /// <summary>The embeddings to normalise.</summary>
    public Expr<Embeddings> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => Input switch
    {
        OnlineEmbeddings => "ô",
        TargetEmbeddings => "t̂",
        _ => $"normalize({Input})",
    };
}
