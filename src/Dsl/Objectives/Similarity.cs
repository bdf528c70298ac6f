namespace ReLICv2.Objectives;

/// <summary>
/// The logit matrix L_ij = ⟨a_i, b_j⟩/τ [N, N] (docs/method.md §2: rows are anchors, columns candidates; the positive of
/// row i is column i). With normalised inputs this is the cosine similarity over τ. Printed <c>a·bᵀ/τ</c>.
/// </summary>
/// <param name="Left">Anchor embeddings a.</param>
/// <param name="Right">Candidate embeddings b.</param>
/// <param name="Temperature">τ &gt; 0.</param>
public sealed record Similarity(Expr<Embeddings> Left, Expr<Embeddings> Right, double Temperature) : Expr<Logits>
{
    /// <summary>Anchor embeddings a.</summary>
    public Expr<Embeddings> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Candidate embeddings b.</summary>
    public Expr<Embeddings> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <summary>The temperature τ.</summary>
    public double Temperature { get; } = Check(Temperature);

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"{Left}·{Right}ᵀ/{Num(Temperature)}";

    private static double Check(double temperature)
    {
        RequirePositive(temperature, nameof(Temperature), nameof(Similarity));
        return temperature;
    }
}
