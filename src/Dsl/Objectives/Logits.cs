namespace ReLICv2.Objectives;

/// <summary>Phantom type of <see cref="Expr{T}"/>: A logit (scaled similarity) matrix whose rows are anchors and whose columns are candidates: [N, N] for a similarity matrix, [N, 1 + k] after negative sub-sampling.</summary>
public sealed class Logits
{
    private Logits()
    {
    }
}
