namespace ReLICv2.Objectives;

/// <summary>Phantom type of <see cref="Expr{T}"/>: A scalar loss value (an objective).</summary>
public sealed class Scalar
{
    private Scalar()
    {
    }
}
