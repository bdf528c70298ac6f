namespace ReLICv2.Objectives;

/// <summary>KL(P‖Q) = mean_i Σ_j P_ij (log P_ij − log Q_ij) (docs/method.md §2; batch mean); gradients flow into both arguments unless one is wrapped in <see cref="StopGradient{T}"/>. Printed <c>KL(P ‖ Q)</c>.</summary>
/// <param name="Left">P, the first argument.</param>
/// <param name="Right">Q, the second argument.</param>
public sealed record Kl(Expr<Distribution> Left, Expr<Distribution> Right) : Objective
{
    /// <summary>P, the first argument.</summary>
    public Expr<Distribution> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Q, the second argument.</summary>
    public Expr<Distribution> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"KL({Left} ‖ {Right})";
}
