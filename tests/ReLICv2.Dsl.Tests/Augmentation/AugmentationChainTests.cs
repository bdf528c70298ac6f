using ReLICv2.Augmentation;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

public class AugmentationChainTests
{
    private static Tensor Images(int n = 4, int c = 3, int h = 20, int w = 24, ulong seed = 7)
    {
        using var g = new Generator(seed);
        return Torch.Rand([n, c, h, w], g);
    }

    [Fact]
    public void Same_seed_gives_the_same_parameters_and_views()
    {
        using var scope = Torch.NewScope();
        var chain = AugmentationChain.Table16(16, 0.14, 1, true);
        var a = chain.Sample(8, 20, 24, 42);
        var b = chain.Sample(8, 20, 24, 42);
        Assert.Equal(a, b);
        Assert.NotEqual(a, chain.Sample(8, 20, 24, 43));
        var x = Images(8);
        Assert.True(chain.Apply(x, a).Equal(chain.Apply(x, b)));
    }

    [Fact]
    public void Crop_boxes_lie_inside_the_image_with_area_and_ratio_in_range()
    {
        var crop = new ResizedCrop(16, 0.14, 1.0);
        var p = (ResizedCropParams)AugmentationChain.Of(crop).Sample(2000, 60, 80, 3).Steps[0];
        foreach (var b in p.Boxes)
        {
            Assert.InRange(b.Top, 0, 60 - b.Height);
            Assert.InRange(b.Left, 0, 80 - b.Width);
            var area = (double)b.Height * b.Width / (60 * 80);
            Assert.InRange(area, 0.12, 1.0);
            Assert.InRange((double)b.Width / b.Height, 0.7, 1.43);
        }
    }

    [Fact]
    public void Flags_follow_their_probability_and_jitter_orders_are_permutations()
    {
        var chain = AugmentationChain.Of(new HorizontalFlip(0.5), new ColorJitter(p: 0.8), new Grayscale(0.2));
        var p = chain.Sample(4000, 8, 8, 11);
        var flips = ((FlagParams)p.Steps[0]).Applied.Count(f => f) / 4000.0;
        var jitter = (ColorJitterParams)p.Steps[1];
        var gray = ((FlagParams)p.Steps[2]).Applied.Count(f => f) / 4000.0;
        Assert.InRange(flips, 0.46, 0.54);
        Assert.InRange(jitter.Images.Count(s => s.Applied) / 4000.0, 0.76, 0.84);
        Assert.InRange(gray, 0.17, 0.23);
        Assert.All(jitter.Images, s => Assert.Equal([0, 1, 2, 3], s.Order.OrderBy(o => o)));
        Assert.All(jitter.Images, s => Assert.InRange(s.Brightness, 0.6, 1.4));
        Assert.All(jitter.Images, s => Assert.InRange(s.Hue, -0.1, 0.1));
        // All 24 orders occur.
        Assert.Equal(24, jitter.Images.Select(s => string.Join("", s.Order)).Distinct().Count());
    }

    [Fact]
    public void Params_print_and_round_trip_through_json()
    {
        var chain = AugmentationChain.Table16(16, 0.14, 1, false, maskProbability: 0.5);
        var p = chain.Sample(3, 20, 24, 5);
        Assert.Equal(p, ChainParams.FromJson(p.ToJson()));
        Assert.StartsWith("ChainParams(20x24: 1. boxes [(", p.ToString());
    }

    [Fact]
    public void Apply_is_the_composition_of_the_kernels_with_the_sampled_parameters()
    {
        using var scope = Torch.NewScope();
        var chain = AugmentationChain.Of(new ResizedCrop(12, interpolation: InterpolationMode.Bilinear), new HorizontalFlip(0.5), new Grayscale(0.5), new Solarize(0.6, 0.5));
        var x = Images(6);
        var p = chain.Sample(6, 20, 24, 9);
        var boxes = ((ResizedCropParams)p.Steps[0]).Boxes;
        var expected = ResizedCropKernel.Apply(x, Torch.FromArray(boxes.SelectMany(b => new float[] { b.Top, b.Left, b.Height, b.Width }).ToArray(), 6, 4), 12, 12);
        expected = HorizontalFlipKernel.Apply(expected, Torch.FromArray(((FlagParams)p.Steps[1]).Applied.ToArray()));
        expected = GrayscaleKernel.Apply(expected, Torch.FromArray(((FlagParams)p.Steps[2]).Applied.ToArray()));
        expected = SolarizeKernel.Apply(expected, 0.6, Torch.FromArray(((FlagParams)p.Steps[3]).Applied.ToArray()));
        using var diff = (chain.Apply(x, p) - expected).Abs().Max();
        Assert.True(diff.Item() <= 1e-6);
    }

    [Fact]
    public void Uint8_sources_are_scaled_to_unit_floats()
    {
        using var scope = Torch.NewScope();
        var bytes = Torch.FromArray(Enumerable.Range(0, 2 * 3 * 4 * 4).Select(i => (byte)(i * 5)).ToArray(), 2, 3, 4, 4);
        var out1 = AugmentationChain.Of(new Grayscale(0)).Run(bytes, 1);
        Assert.Equal(DType.Float32, out1.DType);
        Assert.True(out1.AllClose(bytes.To(DType.Float32) / 255.0));
    }

    [Fact]
    public void Mismatched_parameters_and_missing_masks_are_rejected()
    {
        using var scope = Torch.NewScope();
        var chain = AugmentationChain.Table16(8, 0.14, 1, true);
        var x = Images(4);
        Assert.Contains("drawn for 10x10", Assert.Throws<ArgumentException>(() => chain.Apply(x, chain.Sample(4, 10, 10, 1))).Message);
        Assert.Contains("for 3 images", Assert.Throws<ArgumentException>(() => chain.Apply(x, chain.Sample(3, 20, 24, 1))).Message);
        var masked = AugmentationChain.Table16(8, 0.14, 1, true, maskProbability: 0.5);
        Assert.Equal("masks", Assert.Throws<ArgumentException>(() => masked.Apply(x, masked.Sample(4, 20, 24, 1))).ParamName);
    }

    [Fact]
    public void Masks_follow_the_crop_and_flip_of_the_image()
    {
        using var scope = Torch.NewScope();
        // The mask is the image's own first channel thresholded, so after the same crop+flip it must still line up.
        var x = Images(3, 3, 20, 24);
        var mask = x.Narrow(1, 0, 1).Ge(0.5).To(DType.Float32);
        var chain = AugmentationChain.Of(new ResizedCrop(10, 0.3, 1, interpolation: InterpolationMode.Bilinear), new HorizontalFlip(0.5), new SaliencyMask(1.0, 0.3, 0.3, 0));
        var p = chain.Sample(3, 20, 24, 4);
        var output = chain.Apply(x, p, mask);
        var geometric = AugmentationChain.Of(chain.Steps[0], chain.Steps[1]);
        var cropped = geometric.Apply(x, new ChainParams(20, 24, [p.Steps[0], p.Steps[1]]));
        var croppedMask = geometric.Apply(mask, new ChainParams(20, 24, [p.Steps[0], p.Steps[1]]));
        var expected = croppedMask * cropped + (1.0 - croppedMask) * 0.3;
        using var diff = (output - expected).Abs().Max();
        Assert.True(diff.Item() <= 1e-6);
    }
}
