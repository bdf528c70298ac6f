namespace ReLICv2.Training;

/// <summary>
/// Weighted k-nearest-neighbour classification on L2-normalised features (docs/method.md §7; Wu et al. 2018 / DINO's
/// protocol): the k most cosine-similar training samples vote for their class with weight exp(similarity / τ);
/// defaults k = 20, τ = 0.07. Test samples are processed in chunks so memory stays bounded.
/// </summary>
public static class KnnClassifier
{
    public static ClassificationScore Score(FeatureSet train, FeatureSet test, int classes, int k = 20, double temperature = 0.07, int chunk = 1024)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (k < 1 || k > train.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"KnnClassifier: k must be in [1, {train.Count}] (the training set size)");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "KnnClassifier: temperature must be > 0");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "KnnClassifier: classes must be >= 2");
        using var noGrad = Torch.NoGrad();
        using var bank = Torch.Normalize(train.Features, dim: 1);
        using var bankT = bank.T().Contiguous();
        double top1 = 0, top5 = 0;
        var n = test.Count;
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = Torch.NewScope();
            var len = Math.Min(chunk, n - start);
            var q = Torch.Normalize(test.Features.Narrow(0, start, len), dim: 1);
            var nearest = q.Matmul(bankT).TopK(k, 1);
            var weights = (nearest.Values / temperature).Exp();
            var votesFor = train.Labels.IndexSelect(0, nearest.Indices.Reshape(-1)).Reshape(len, k);
            var votes = Torch.Zeros([len, classes], DType.Float32).ScatterAdd(1, votesFor, weights);
            var score = ClassificationScore.Of(votes, test.Labels.Narrow(0, start, len));
            top1 += score.Top1 * len;
            top5 += score.Top5 * len;
        }
        return new ClassificationScore(top1 / n, top5 / n, n);
    }
}
