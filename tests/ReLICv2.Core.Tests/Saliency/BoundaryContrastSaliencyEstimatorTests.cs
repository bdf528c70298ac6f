using ReLICv2.Data;
using ReLICv2.Vision;
using Xunit;
using Xunit.Abstractions;

namespace ReLICv2.Tests;

public class BoundaryContrastSaliencyEstimatorTests(ITestOutputHelper output)
{
    /// <summary>Set to a folder to write example grids (images, true masks, estimated masks) as PNG.</summary>
    private const string ExamplesVariable = "RELIC_SALIENCY_EXAMPLES";

    private static double[] IoU(Tensor a, Tensor b)
    {
        var inter = (a * b).Flatten(1).Sum(1).ToArray<float>();
        var union = (a + b - a * b).Flatten(1).Sum(1).ToArray<float>();
        return inter.Zip(union, (i, u) => u == 0 ? 1.0 : i / (double)u).ToArray();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void Estimated_masks_overlap_the_true_foreground_far_better_than_chance(int channels)
    {
        var ds = new SyntheticDataset(48, size: 32, channels: channels, seed: 21);
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch(Enumerable.Range(0, ds.Count).ToArray());
        var estimator = new BoundaryContrastSaliencyEstimator();
        var masks = estimator.Masks(batch);
        Assert.Equal(new long[] { 48, 1, 32, 32 }, masks.Shape);
        Assert.True(masks.Eq(0).LogicalOr(masks.Eq(1)).All().Item() != 0, "binarised masks must be 0 or 1");
        var truth = batch.Masks!;
        var iou = IoU(masks, truth);
        // chance: a mask of the estimated area placed independently of the truth has expected IoU f·g / (f + g − f·g)
        var f = masks.Flatten(1).Mean(1).ToArray<float>();
        var g = truth.Flatten(1).Mean(1).ToArray<float>();
        var chance = f.Zip(g, (a, b) => a * b / Math.Max(1e-9, a + b - a * b)).Average();
        output.WriteLine($"C={channels}: mean IoU {iou.Average():F3}, median {iou.Order().ElementAt(iou.Length / 2):F3}, chance {chance:F3}");
        Assert.True(iou.Average() >= 0.6, $"mean IoU {iou.Average():F3} < 0.6");
        Assert.True(iou.Average() >= 3 * chance, $"mean IoU {iou.Average():F3} < 3 x chance {chance:F3}");
        WriteExamples($"synthetic_c{channels}", batch, masks);
    }

    [Fact]
    public void Soft_maps_are_in_unit_range_and_single_image_masks_match_the_batch()
    {
        var ds = new SyntheticDataset(6, size: 40, seed: 3);
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([0, 1, 2, 3, 4, 5]);
        var soft = new BoundaryContrastSaliencyEstimator(workingSize: 20, binarize: false).Masks(batch);
        Assert.Equal(new long[] { 6, 1, 40, 40 }, soft.Shape);
        Assert.True(soft.Min().Item() >= 0 && soft.Max().Item() <= 1);
        // each map reaches 1 at the working resolution; bilinear upsampling (20 -> 40) may shave its peak a little
        Assert.InRange(soft.Flatten(1).Max(1).Values.Min().Item(), 0.8, 1.0);
        var estimator = new BoundaryContrastSaliencyEstimator();
        var all = estimator.Masks(batch);
        var one = estimator.Mask(4, batch.Images.Select(0, 4));
        Assert.Equal(new long[] { 1, 40, 40 }, one.Shape);
        Assert.True(one.Equal(all.Select(0, 4)));
    }

    [Fact]
    public void Otsu_separates_a_bimodal_map_exactly()
    {
        using var scope = Torch.NewScope();
        var values = new float[2 * 16];
        var expected = new float[2 * 16];
        var rng = new Random(5);
        for (var i = 0; i < values.Length; i++)
        {
            var fg = rng.NextDouble() < 0.3;
            values[i] = (float)(fg ? 0.8 + 0.1 * rng.NextDouble() : 0.1 + 0.1 * rng.NextDouble());
            expected[i] = fg ? 1 : 0;
        }
        var mask = BoundaryContrastSaliencyEstimator.OtsuForeground(Torch.FromArray(values, 2, 1, 4, 4));
        Assert.Equal(expected, mask.ToArray<float>());
    }

    [Fact]
    public void Invalid_parameters_are_rejected_naming_the_field()
    {
        Assert.Equal("workingSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryContrastSaliencyEstimator(workingSize: 4)).ParamName);
        Assert.Equal("borderFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryContrastSaliencyEstimator(borderFraction: 0.5)).ParamName);
        Assert.Equal("nearestFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryContrastSaliencyEstimator(nearestFraction: 0)).ParamName);
        Assert.Equal("smoothing", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryContrastSaliencyEstimator(smoothing: 4)).ParamName);
    }

    /// <summary>
    /// Writes rows [images; true masks; boundary-contrast masks; spectral-residual masks] of the first 8 images when
    /// RELIC_SALIENCY_EXAMPLES is set.
    /// </summary>
    private static void WriteExamples(string name, Batch batch, Tensor estimated)
    {
        var dir = Environment.GetEnvironmentVariable(ExamplesVariable);
        if (string.IsNullOrEmpty(dir)) return;
        using var scope = Torch.NewScope();
        var n = Math.Min(8, batch.Count);
        var images = batch.Images.Narrow(0, 0, n).To(DType.Float32) / 255.0;
        if (images.Size(1) == 1) images = images.Expand(n, 3, images.Size(2), images.Size(3));
        var truth = batch.Masks!.Narrow(0, 0, n).Expand(n, 3, images.Size(2), images.Size(3));
        var est = estimated.Narrow(0, 0, n).Expand(n, 3, images.Size(2), images.Size(3));
        var spectral = new SpectralResidualSaliencyEstimator().Estimate(batch.Images.Narrow(0, 0, n)).Expand(n, 3, images.Size(2), images.Size(3));
        PngWriter.WriteTensor(Path.Combine(dir, name + ".png"), Torch.Cat([images, truth, est, spectral], 0), columns: n);
    }
}
