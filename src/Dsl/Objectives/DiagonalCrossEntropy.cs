namespace ReLICv2.Objectives;

/// <summary>Instance-discrimination cross-entropy −mean_i log softmax_j(L_ij)[j = positive of i] (docs/method.md §2, ReLIC CE; the positive is column i of a square matrix or column 0 after <see cref="Candidates"/>); printed <c>CE(diag, L)</c>.</summary>
/// <param name="Input">Logits with a positive per row.</param>
public sealed record DiagonalCrossEntropy(Expr<Logits> Input) : Objective
{
    /// <summary>Logits with a positive per row.</summary>
    public Expr<Logits> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"CE(diag, {Input})";
}
