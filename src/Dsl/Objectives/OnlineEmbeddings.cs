namespace ReLICv2.Objectives;

/// <summary>The online branch's embeddings o = q(g(f(x^a))) of one view [N, D] (docs/method.md §2); printed <c>o</c>.</summary>
public sealed record OnlineEmbeddings : Expr<Embeddings>
{
    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [];

    private protected override GradientFlow ComputeFlow() => new(true, false);

    private protected override string Print() => "o";
}
