namespace ReLICv2.Objectives;

/// <summary>Cross-entropy H(P, Q) = −mean_i Σ_j P_ij log Q_ij (ReSSL eq. 5 with P = sg[target relation]); printed <c>H(P, Q)</c>.</summary>
/// <param name="Left">P, the reference distribution.</param>
/// <param name="Right">Q, the matched distribution.</param>
public sealed record CrossEntropy(Expr<Distribution> Left, Expr<Distribution> Right) : Objective
{
    /// <summary>P, the reference distribution.</summary>
    public Expr<Distribution> Left { get; } = Left ?? throw new ArgumentNullException(nameof(Left));

    /// <summary>Q, the matched distribution.</summary>
    public Expr<Distribution> Right { get; } = Right ?? throw new ArgumentNullException(nameof(Right));

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Left, Right];

    private protected override string Print() => $"H({Left}, {Right})";
}
