namespace ReLICv2.Objectives;

/// <summary>Centring over the batch: x − mean_batch(x) per dimension; printed <c>centre(x)</c>.</summary>
/// <param name="Input">The embeddings to centre.</param>
public sealed record Centre(Expr<Embeddings> Input) : Expr<Embeddings>
{
    /// <summary>The embeddings to centre.</summary>
    public Expr<Embeddings> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"centre({Input})";
}
