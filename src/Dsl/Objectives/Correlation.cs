namespace ReLICv2.Objectives;

/// <summary>Phantom type of <see cref="Expr{T}"/>: A D × D (cross-)correlation matrix between embedding dimensions (Barlow Twins).</summary>
public sealed class Correlation
{
    private Correlation()
    {
    }
}
