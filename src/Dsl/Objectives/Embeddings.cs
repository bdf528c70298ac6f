namespace ReLICv2.Objectives;

/// <summary>Phantom type of <see cref="Expr{T}"/>: A batch of embeddings [N, D] (one row per image of one view): the online output o, the target output t, or a transform of them.</summary>
public sealed class Embeddings
{
    private Embeddings()
    {
    }
}
