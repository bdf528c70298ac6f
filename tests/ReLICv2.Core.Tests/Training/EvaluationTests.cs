using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Linear probe, k-NN, feature extraction and the supervised baseline.</summary>
public class EvaluationTests
{
    /// <summary>Gaussian clusters around well-separated class centres in 16-D: a linearly separable problem.</summary>
    private static FeatureSet Clusters(int perClass, int classes, ulong seed, double spread = 0.3)
    {
        using var g = new Generator(seed);
        using var centresGen = new Generator(424242);
        using var scope = Torch.NewScope();
        var centres = Torch.Randn([classes, 16], centresGen) * 3.0;
        var labels = Torch.Arange(classes).Repeat(perClass);
        var x = centres.IndexSelect(0, labels) + Torch.Randn([perClass * classes, 16], g) * spread;
        return new FeatureSet(scope.MoveOut(x).DetachFromScope(), scope.MoveOut(labels).DetachFromScope());
    }

    [Fact]
    public void Classification_score_counts_top1_and_top5_hits()
    {
        using var scope = Torch.NewScope();
        var logits = Torch.FromArray(new float[,]
        {
            { 9, 1, 2, 3, 4, 5, 0 }, // label 0: top-1 hit
            { 9, 8, 7, 6, 5, 1, 0 }, // label 4: in the top 5 only
            { 9, 8, 7, 6, 5, 4, 0 }, // label 6: miss
        });
        var s = ClassificationScore.Of(logits, Torch.FromArray(new long[] { 0, 4, 6 }));
        Assert.Equal(1.0 / 3, s.Top1, 12);
        Assert.Equal(2.0 / 3, s.Top5, 12);
        Assert.Equal(3, s.Count);
    }

    [Fact]
    public void Linear_probe_separates_linearly_separable_features()
    {
        using var train = Clusters(50, 4, 1);
        using var test = Clusters(25, 4, 2);
        using var probe = LinearProbe.Train(train, 4, new LinearProbeOptions(epochs: 10, batchSize: 32));
        Assert.True(probe.Score(train).Top1 >= 0.99);
        Assert.True(probe.Score(test).Top1 >= 0.99);
    }

    [Fact]
    public void Linear_probe_is_deterministic_for_a_seed()
    {
        using var train = Clusters(20, 3, 3, spread: 2.5);
        using var a = LinearProbe.Train(train, 3, new LinearProbeOptions(epochs: 3, batchSize: 16, seed: 9));
        using var b = LinearProbe.Train(train, 3, new LinearProbeOptions(epochs: 3, batchSize: 16, seed: 9));
        Assert.True(a.Classifier.Parameters()[0].Equal(b.Classifier.Parameters()[0]));
    }

    [Fact]
    public void Knn_votes_are_weighted_by_exponentiated_cosine_similarity()
    {
        using var scope = Torch.NewScope();
        // Query (1, 0); neighbours at angles 0° (class 0), 60° (class 1), 70° (class 1). With k = 3 and τ = 1:
        // class 0 gets e^1 = 2.718, class 1 gets e^0.5 + e^0.342 = 3.056, so class 1 wins; with τ = 0.07 class 0 wins.
        double Deg(double d) => d * Math.PI / 180;
        var bank = Torch.FromArray(new float[,] { { 1, 0 }, { (float)Math.Cos(Deg(60)), (float)Math.Sin(Deg(60)) }, { (float)Math.Cos(Deg(70)), (float)Math.Sin(Deg(70)) } });
        using var train = new FeatureSet(bank.Alias().DetachFromScope(), Torch.FromArray(new long[] { 0, 1, 1 }).DetachFromScope());
        using var query = new FeatureSet(Torch.FromArray(new float[,] { { 2, 0 } }).DetachFromScope(), Torch.FromArray(new long[] { 1 }).DetachFromScope());
        Assert.Equal(1.0, KnnClassifier.Score(train, query, classes: 2, k: 3, temperature: 1).Top1);
        Assert.Equal(0.0, KnnClassifier.Score(train, query, classes: 2, k: 3, temperature: 0.07).Top1);
        Assert.Equal(0.0, KnnClassifier.Score(train, query, classes: 2, k: 1, temperature: 1).Top1);
        Assert.Throws<ArgumentOutOfRangeException>(() => KnnClassifier.Score(train, query, classes: 2, k: 4));
    }

    [Fact]
    public void Knn_classifies_separated_clusters_exactly()
    {
        using var train = Clusters(40, 5, 4);
        using var test = Clusters(10, 5, 5);
        Assert.Equal(1.0, KnnClassifier.Score(train, test, classes: 5, chunk: 7).Top1);
    }

    [Fact]
    public void Feature_extraction_applies_the_transform_to_every_batch_with_its_index()
    {
        var data = new SyntheticDataset(20, size: 8, channels: 3, seed: 1);
        using var g = new Generator(1);
        using var encoder = new Sequential(new Conv2d(3, 4, 3, g, padding: 1), new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d(1, 1), new Flatten());
        var seen = new List<int>();
        using var flipped = FeatureExtractor.Extract(encoder, data, batchSize: 6, transform: (x, i) =>
        {
            seen.Add(i);
            return x.Flip([3L]);
        });
        Assert.Equal([0, 1, 2, 3], seen);
        using var scope = Torch.NewScope();
        encoder.Eval();
        using (Torch.NoGrad())
        {
            using var batch = data.GetBatch(Enumerable.Range(0, 20).ToArray());
            var direct = encoder.Forward((batch.Images.To(DType.Float32) / 255.0).Flip([3L]));
            Assert.True(direct.AllClose(flipped.Features, 1e-5, 1e-6));
        }
        var error = Assert.Throws<InvalidOperationException>(() => FeatureExtractor.Extract(encoder, data, batchSize: 6, transform: (x, _) => x.Narrow(0, 0, 1)));
        Assert.Contains("must keep the image count", error.Message);
    }

    [Fact]
    public void Feature_extraction_uses_eval_mode_and_leaves_the_encoder_untouched()
    {
        var data = new SyntheticDataset(20, size: 8, channels: 3, seed: 1);
        using var g = new Generator(1);
        using var encoder = new Sequential(new Conv2d(3, 4, 3, g, padding: 1), new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d(1, 1), new Flatten());
        var buffersBefore = encoder.NamedBuffers().Select(b => b.Tensor.Clone().DetachFromScope()).ToList();
        using var features = FeatureExtractor.Extract(encoder, data, batchSize: 6);
        Assert.True(encoder.IsTraining);
        Assert.Equal(new long[] { 20, 4 }, features.Features.Shape);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)data.Label(i)), features.Labels.ToArray<long>());
        Assert.All(encoder.NamedBuffers().Zip(buffersBefore), p => Assert.True(p.First.Tensor.Equal(p.Second)));
        using var scope = Torch.NewScope();
        encoder.Eval();
        using (Torch.NoGrad())
        {
            using var batch = data.GetBatch(Enumerable.Range(0, 20).ToArray());
            var direct = encoder.Forward(batch.Images.To(DType.Float32) / 255.0);
            Assert.True(direct.AllClose(features.Features, 1e-5, 1e-6));
        }
        foreach (var b in buffersBefore) b.Dispose();
    }

    /// <summary>Images whose class is their brightness (40 + 50·k grey levels) plus uniform pixel noise of ±30.</summary>
    private static InMemoryImageDataset Brightness(int count, int seed)
    {
        var rng = new Random(seed);
        const int size = 8, plane = 3 * size * size;
        var labels = Enumerable.Range(0, count).Select(_ => rng.Next(4)).ToArray();
        var pixels = new byte[count * plane];
        for (var n = 0; n < count; n++)
            for (var i = 0; i < plane; i++)
                pixels[n * plane + i] = (byte)(40 + 50 * labels[n] + rng.Next(-30, 31));
        return new InMemoryImageDataset(pixels, labels, 3, size, size, ["dark", "dim", "bright", "light"]);
    }

    [Fact]
    public void Supervised_baseline_learns_a_problem_a_linear_encoder_can_solve()
    {
        var train = Brightness(128, 1);
        var test = Brightness(64, 2);
        using var g = new Generator(2);
        using var encoder = new Sequential(new Conv2d(3, 8, 3, g, padding: 1), new BatchNorm2d(8), new ReLU(), new AdaptiveAvgPool2d(1, 1), new Flatten());
        using var trainer = new SupervisedTrainer(encoder, 8, train.ClassCount, ps => new Sgd(ps, new SgdOptions(0.1, momentum: 0.9)), g);
        var losses = trainer.Train(new DataLoader(train, 16, seed: 1), 20, (b, _) => b.Images.To(DType.Float32) / 255.0);
        Assert.True(losses[^1] < 0.5 * losses[0], $"supervised loss did not decrease: {string.Join(", ", losses)}");
        var score = trainer.Evaluate(test);
        Assert.True(score.Top1 > 0.9, $"supervised top-1 {score.Top1:P1} on brightness classes; losses {string.Join(", ", losses.Select(l => l.ToString("F3")))}; train {trainer.Evaluate(train).Top1:P1}");
    }
}
