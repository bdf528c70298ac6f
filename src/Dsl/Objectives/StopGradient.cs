namespace ReLICv2.Objectives;

/// <summary>
/// sg[x]: the value of x with no gradient flowing back through it (ReLIC's stop-gradient in the KL, the detached
/// target of BYOL/ReLIC); printed <c>sg[x]</c>. Compiles to <see cref="Tensor.Detach"/>.
/// </summary>
/// <typeparam name="T">The kind of the wrapped expression (embeddings, logits, distributions or correlations).</typeparam>
/// <param name="Input">The expression whose gradient is stopped.</param>
public sealed record StopGradient<T>(Expr<T> Input) : Expr<T>, IStopGradient
{
    /// <summary>The expression whose gradient is stopped.</summary>
    public Expr<T> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    ExprNode IStopGradient.Inner => Input;

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override GradientFlow ComputeFlow() => GradientFlow.None;

    private protected override string Print() => $"sg[{Input}]";
}
