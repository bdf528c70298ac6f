using ReLICv2.Data;
using ReLICv2.Vision;
using Xunit;
using Xunit.Abstractions;

namespace ReLICv2.Tests;

public class SpectralResidualSaliencyEstimatorTests(ITestOutputHelper output)
{
    [Fact]
    public void A_small_square_on_a_textured_background_is_found()
    {
        // 64x64 grey: sensor-like noise and horizontal stripes (a spike in the spectrum that the residual removes) plus one
        // 10x10 bright square. (On a noise-free flat background the log spectrum has exact zeros and the method is
        // ill-conditioned, as the original is.)
        const int s = 64;
        var rng = new Random(4);
        var px = new float[s * s];
        var truth = new float[s * s];
        for (var y = 0; y < s; y++)
            for (var x = 0; x < s; x++)
            {
                var inside = x is >= 40 and < 50 && y is >= 12 and < 22;
                truth[y * s + x] = inside ? 1 : 0;
                px[y * s + x] = inside
                    ? 0.8f + 0.1f * rng.NextSingle()
                    : 0.3f + 0.1f * rng.NextSingle() + 0.1f * (float)Math.Sin(2 * Math.PI * y / 8.0);
            }
        using var scope = Torch.NewScope();
        var mask = new SpectralResidualSaliencyEstimator().Mask(0, Torch.FromArray(px, 1, s, s));
        var m = mask.ToArray<float>();
        var inter = m.Zip(truth, (a, b) => a * b).Sum();
        var union = m.Zip(truth, (a, b) => Math.Max(a, b)).Sum();
        output.WriteLine($"IoU {inter / union:F3}, mask area {m.Sum()}, true area {truth.Sum()}");
        Assert.True(inter / union >= 0.25, $"IoU {inter / union:F3} < 0.25"); // the σ = 8 px blur widens the blob around the square
        Assert.True(inter / truth.Sum() >= 0.9, $"only {inter / truth.Sum():P0} of the square is marked salient");
    }

    [Fact]
    public void Synthetic_masks_overlap_the_truth_better_than_chance_and_soft_maps_are_in_unit_range()
    {
        var ds = new SyntheticDataset(32, size: 32, seed: 21);
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch(Enumerable.Range(0, ds.Count).ToArray());
        var masks = new SpectralResidualSaliencyEstimator(thresholdFactor: 1.0).Masks(batch);
        var truth = batch.Masks!;
        var inter = (masks * truth).Flatten(1).Sum(1).ToArray<float>();
        var union = (masks + truth - masks * truth).Flatten(1).Sum(1).ToArray<float>();
        var iou = inter.Zip(union, (i, u) => u == 0 ? 1.0 : i / u).Average();
        var f = masks.Flatten(1).Mean(1).ToArray<float>();
        var g = truth.Flatten(1).Mean(1).ToArray<float>();
        var chance = f.Zip(g, (a, b) => a * b / Math.Max(1e-9, a + b - a * b)).Average();
        output.WriteLine($"mean IoU {iou:F3}, chance {chance:F3}");
        Assert.True(iou >= 1.5 * chance, $"mean IoU {iou:F3} < 1.5 x chance {chance:F3}");
        var soft = new SpectralResidualSaliencyEstimator(binarize: false).Masks(batch);
        Assert.True(soft.Min().Item() >= 0 && soft.Max().Item() <= 1);
    }

    [Fact]
    public void Invalid_parameters_are_rejected_naming_the_field()
    {
        Assert.Equal("workingSize", Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidualSaliencyEstimator(workingSize: 8)).ParamName);
        Assert.Equal("sigmaFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidualSaliencyEstimator(sigmaFraction: 0)).ParamName);
        Assert.Equal("thresholdFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidualSaliencyEstimator(thresholdFactor: 11)).ParamName);
    }
}
