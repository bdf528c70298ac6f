namespace ReLICv2.Objectives;

/// <summary>Entropy of the batch-mean distribution H(P̄) = −Σ_j P̄_j log P̄_j, P̄ = mean_i P_i (TWIST eq. 6); printed <c>H(mean P)</c>.</summary>
/// <param name="Input">The row distributions.</param>
public sealed record EntropyOfMean(Expr<Distribution> Input) : Objective
{
    /// <summary>The row distributions.</summary>
    public Expr<Distribution> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"H(mean {Input})";
}
