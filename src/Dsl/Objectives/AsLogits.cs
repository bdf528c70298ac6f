namespace ReLICv2.Objectives;

/// <summary>
/// Embeddings read as class logits x/τ [N, K] (TWIST's class scores, DINO-style heads): each row's candidates are the
/// K output dimensions; there is no positive. Printed <c>x/τ</c> (or <c>x</c> when τ = 1).
/// </summary>
/// <param name="Input">The embeddings used as logits.</param>
/// <param name="Temperature">τ &gt; 0.</param>
public sealed record AsLogits(Expr<Embeddings> Input, double Temperature = 1) : Expr<Logits>
{
    /// <summary>The embeddings used as logits.</summary>
    public Expr<Embeddings> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <summary>The temperature τ.</summary>
    public double Temperature { get; } = Check(Temperature);

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => Temperature == 1 ? $"{Input}" : $"{Input}/{Num(Temperature)}";

    private static double Check(double temperature)
    {
        RequirePositive(temperature, nameof(Temperature), nameof(AsLogits));
        return temperature;
    }
}
