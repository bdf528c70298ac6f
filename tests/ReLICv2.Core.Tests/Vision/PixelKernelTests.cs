using Xunit;
using ReLICv2.Vision;

namespace ReLICv2.Tests;

/// <summary>Grayscale, Gaussian blur and solarize against torchvision 0.14, their per-image flags and in-place variants.</summary>
public class PixelKernelTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Grayscale_matches_torchvision_rgb_to_grayscale(bool fused)
    {
        using var scope = Torch.NewScope();
        var output = GrayscaleKernel.Apply(VisionFixtures.Input(), Torch.FromArray(new[] { true, true }), fused);
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Reference("grayscale.json")) <= 1e-6);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Grayscale_flag_off_leaves_the_image(bool fused)
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var output = GrayscaleKernel.Apply(input, Torch.FromArray(new[] { false, true }), fused);
        Assert.True(output.Select(0, 0).Equal(input.Select(0, 0)));
        Assert.True(VisionFixtures.MaxAbsDiff(output.Select(0, 1), VisionFixtures.Reference("grayscale.json").Select(0, 1)) <= 1e-6);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solarize_matches_torchvision(bool fused)
    {
        using var scope = Torch.NewScope();
        var output = SolarizeKernel.Apply(VisionFixtures.Input(), 0.5, Torch.FromArray(new[] { true, true }), fused);
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Reference("solarize.json")) <= 1e-6);
        var half = SolarizeKernel.Apply(VisionFixtures.Input(), 0.5, Torch.FromArray(new[] { true, false }), fused);
        Assert.True(half.Select(0, 1).Equal(VisionFixtures.Input().Select(0, 1)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gaussian_blur_with_per_image_sigma_matches_torchvision(bool fused)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load("gaussian_blur.json");
        var sigmas = Torch.FromArray(VisionFixtures.Doubles(fixture, "sigmas").Select(v => (float)v).ToArray());
        var output = GaussianBlurKernel.Apply(VisionFixtures.Input(), 5, sigmas, fused: fused);
        // torchvision convolves with the 2-D outer product; the separable form differs only by float rounding.
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= 1e-5);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gaussian_blur_flag_off_is_exactly_the_identity(bool fused)
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var output = GaussianBlurKernel.Apply(input, 5, Torch.FromArray(new[] { 1.3f, 0.7f }), Torch.FromArray(new[] { false, true }), fused);
        Assert.True(output.Select(0, 0).Equal(input.Select(0, 0)));
        Assert.False(output.Select(0, 1).Equal(input.Select(0, 1)));
    }

    [Theory]
    [InlineData(224, 23)]
    [InlineData(96, 9)]
    [InlineData(32, 3)]
    [InlineData(12, 3)]
    public void Kernel_size_rule_is_odd_and_about_a_tenth(int size, int expected) => Assert.Equal(expected, GaussianBlurKernel.KernelSizeFor(size));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void In_place_variants_equal_the_out_of_place_kernels(bool contiguous)
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(12);
        const int n = 5;
        var x = Torch.Rand([n, 3, 12, 12], g);
        if (!contiguous) x = x.Transpose(2, 3);
        Assert.Equal(contiguous, x.Clone().IsContiguous);
        var flags = Torch.FromArray(new[] { true, false, true, true, false }, n);
        var sigmas = Torch.Rand([n], g) + 0.3;
        var order = Torch.FromArray(new long[] { 0, 1, 2, 3, 3, 2, 1, 0, 1, 3, 0, 2, 2, 0, 3, 1, 0, 2, 1, 3 }, n, 4);
        var f = Torch.Rand([n], g) * 0.6 + 0.7;
        var hue = Torch.Rand([n], g) * 0.2 - 0.1;

        void Check(Func<Tensor, Tensor> outOfPlace, Action<Tensor> inPlace)
        {
            var expected = outOfPlace(x);
            var y = x.Clone();
            inPlace(y);
            Assert.True(VisionFixtures.MaxAbsDiff(y, expected) <= 1e-6);
        }

        Check(t => GrayscaleKernel.Apply(t, flags), t => GrayscaleKernel.Apply_(t, flags));
        Check(t => SolarizeKernel.Apply(t, 0.4, flags), t => SolarizeKernel.Apply_(t, 0.4, flags));
        Check(t => GaussianBlurKernel.Apply(t, 5, sigmas, flags), t => GaussianBlurKernel.Apply_(t, 5, sigmas, flags));
        Check(t => ColorJitterKernel.Apply(t, order, flags, f, f, f, hue), t => ColorJitterKernel.Apply_(t, order, flags, f, f, f, hue));
    }
}
