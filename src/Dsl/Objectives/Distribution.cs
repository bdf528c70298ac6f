namespace ReLICv2.Objectives;

/// <summary>Phantom type of <see cref="Expr{T}"/>: Row distributions over candidates or classes (each row sums to one); held as log-probabilities when compiled.</summary>
public sealed class Distribution
{
    private Distribution()
    {
    }
}
