namespace ReLICv2.Objectives;

/// <summary>The kind-independent view of a <see cref="StopGradient{T}"/> node (used by the compiler).</summary>
internal interface IStopGradient
{
    ExprNode Inner { get; }
}
