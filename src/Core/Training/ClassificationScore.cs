namespace ReLICv2.Training;

/// <summary>Top-1 and top-5 accuracy (fractions in [0, 1]) of a classifier on a labelled set.</summary>
public sealed record ClassificationScore(double Top1, double Top5, long Count)
{
    /// <summary>Scores <paramref name="logits"/> [N, C] against <paramref name="labels"/> [N].</summary>
    public static ClassificationScore Of(Tensor logits, Tensor labels)
    {
        using var scope = Torch.NewScope();
        var n = labels.Size(0);
        var k = Math.Min(5, logits.Size(1));
        var top = logits.TopK(k, 1).Indices;
        var hits = top.Eq(labels.Unsqueeze(1));
        var top1 = hits.Narrow(1, 0, 1).To(DType.Float64).Sum().Item() / n;
        var top5 = hits.To(DType.Float64).Sum(1).ClampMax(1).Sum().Item() / n;
        return new ClassificationScore(top1, top5, n);
    }
}
