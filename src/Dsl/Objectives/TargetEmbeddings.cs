namespace ReLICv2.Objectives;

/// <summary>
/// The target branch's embeddings t = g_t(f_t(x^t)) of the other view [N, D] (docs/method.md §2); printed <c>t</c>.
/// Presets wrap it in <see cref="StopGradient{T}"/> where the method has a target network; for two-view methods
/// without one (SimCLR, Barlow Twins, VICReg, TWIST) t is simply the second view and receives gradients.
/// </summary>
public sealed record TargetEmbeddings : Expr<Embeddings>
{
    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [];

    private protected override GradientFlow ComputeFlow() => new(false, true);

    private protected override string Print() => "t";
}
