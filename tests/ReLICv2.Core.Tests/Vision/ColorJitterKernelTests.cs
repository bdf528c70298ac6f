using Xunit;
using ReLICv2.Vision;

namespace ReLICv2.Tests;

/// <summary>Colour ops against torchvision 0.14 adjust_* on float tensors, with fixed per-image factors.</summary>
public class ColorJitterKernelTests
{
    [Theory]
    [InlineData("brightness", 1e-6)]
    [InlineData("contrast", 1e-6)]
    [InlineData("saturation", 1e-6)]
    [InlineData("hue", 1e-5)]
    public void Matches_torchvision_on_rgb(string op, double tolerance) => Check(op, op + ".json", rgb: true, tolerance);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fused_and_composed_hue_both_match_torchvision(bool fused)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load("hue.json");
        var factors = Torch.FromArray(VisionFixtures.Doubles(fixture, "factors").Select(v => (float)v).ToArray());
        var output = ColorJitterKernel.Hue(VisionFixtures.Input(), factors, fused);
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= 1e-5);
    }

    [Fact]
    public void Fused_hue_agrees_with_the_composed_form_on_random_images()
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(5);
        var x = Torch.Rand([6, 3, 17, 9], g);
        var f = Torch.Rand([6], g) - 0.5;
        Assert.True(VisionFixtures.MaxAbsDiff(ColorJitterKernel.Hue(x, f, fused: true), ColorJitterKernel.Hue(x, f, fused: false)) <= 1e-5);
        // Float64 takes the composed path.
        Assert.True(VisionFixtures.MaxAbsDiff(ColorJitterKernel.Hue(x.To(DType.Float64), f).To(DType.Float32), ColorJitterKernel.Hue(x, f)) <= 1e-5);
    }

    [Theory]
    [InlineData("brightness")]
    [InlineData("contrast")]
    [InlineData("saturation")]
    [InlineData("hue")]
    public void Matches_torchvision_on_one_channel(string op) => Check(op, op + "_gray.json", rgb: false, 1e-6);

    private static void Check(string op, string file, bool rgb, double tolerance)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load(file);
        var input = VisionFixtures.Input();
        if (!rgb) input = input.Narrow(1, 0, 1).Contiguous();
        var factors = Torch.FromArray(VisionFixtures.Doubles(fixture, "factors").Select(v => (float)v).ToArray());
        var output = op switch
        {
            "brightness" => ColorJitterKernel.Brightness(input, factors),
            "contrast" => ColorJitterKernel.Contrast(input, factors),
            "saturation" => ColorJitterKernel.Saturation(input, factors),
            _ => ColorJitterKernel.Hue(input, factors),
        };
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= tolerance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Per_image_order_matches_torchvision_applied_in_that_order(bool fused)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load("jitter_order.json");
        var input = VisionFixtures.Input();
        var order = fixture.GetProperty("order").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetInt64())).ToArray();
        var f = fixture.GetProperty("factors").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        Tensor Column(int op) => Torch.FromArray(f.Select(r => r[op]).ToArray());
        var output = ColorJitterKernel.Apply(input, Torch.FromArray(order, 2, 4), Torch.FromArray(new[] { true, true }),
            Column(0), Column(1), Column(2), Column(3), fused);
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= 1e-5);
    }

    [Fact]
    public void Gate_off_or_missing_ops_leave_images_unchanged()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var order = Torch.FromArray(new long[] { 0, 1, 2, 3, 3, 2, 1, 0 }, 2, 4);
        var f = Torch.FromArray(new[] { 1.3f, 0.6f });
        var gatedOff = ColorJitterKernel.Apply(input, order, Torch.FromArray(new[] { false, false }), f, f, f, f);
        Assert.True(gatedOff.Equal(input));
        var noOps = ColorJitterKernel.Apply(input, order, Torch.FromArray(new[] { true, true }));
        Assert.True(noOps.Equal(input));
        var half = ColorJitterKernel.Apply(input, order, Torch.FromArray(new[] { false, true }), brightness: f);
        Assert.True(half.Select(0, 0).Equal(input.Select(0, 0)));
        var expected = ColorJitterKernel.Brightness(input, f).Select(0, 1);
        Assert.True(half.Select(0, 1).Equal(expected));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Fused_jitter_agrees_with_the_gathered_single_op_kernels(int channels)
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(9);
        const int n = 12;
        var x = Torch.Rand([n, channels, 13, 11], g);
        var random = new Random(4);
        var order = Torch.FromArray(Enumerable.Range(0, n).SelectMany(_ => new long[] { 0, 1, 2, 3 }.OrderBy(_ => random.Next())).ToArray(), n, 4);
        var applied = Torch.FromArray(Enumerable.Range(0, n).Select(i => i % 5 != 0).ToArray(), n);
        Tensor Factors(double low, double high) => Torch.Rand([n], g) * (high - low) + low;
        var b = Factors(0.6, 1.4);
        var c = Factors(0.6, 1.4);
        var s = Factors(0.8, 1.2);
        var h = Factors(-0.1, 0.1);
        Assert.True(VisionFixtures.MaxAbsDiff(ColorJitterKernel.Apply(x, order, applied, b, c, s, h, fused: true),
            ColorJitterKernel.Apply(x, order, applied, b, c, s, h, fused: false)) <= 1e-5);
        Assert.True(VisionFixtures.MaxAbsDiff(ColorJitterKernel.Apply(x, order, applied, b, null, s, null, fused: true),
            ColorJitterKernel.Apply(x, order, applied, b, null, s, null, fused: false)) <= 1e-5);
    }

    [Fact]
    public void Rejects_an_order_that_is_not_a_permutation()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var bad = Torch.FromArray(new long[] { 0, 0, 2, 3, 0, 1, 2, 3 }, 2, 4);
        var ex = Assert.Throws<ArgumentException>(() => ColorJitterKernel.Apply(input, bad, Torch.FromArray(new[] { true, true })));
        Assert.Contains("order row 0", ex.Message);
    }

    [Fact]
    public void A_failing_in_place_jitter_leaves_every_image_unchanged()
    {
        // The fused kernel's own check of the order, reached directly (ColorJitterKernel checks it first): image 0 is valid,
        // image 1 is not. Checked inside the parallel loop, image 0 was already brightened when image 1 failed.
        using var scope = Torch.NewScope();
        using var g = new Generator(3);
        var images = Torch.Rand([2, 3, 5, 4], g);
        var original = images.Clone();
        var order = Torch.FromArray(new long[] { 0, 1, 2, 3, 0, 1, 7, 3 }, 2, 4);
        var applied = Torch.FromArray(new byte[] { 1, 1 });
        var factors = Torch.Full([2, 4], 0.5);
        var status = Native.rs_vision_color_jitter(images.H, order.H, applied.H, factors.H, enabled: 0b1111, inplace: 1, out var result);
        result.Dispose();
        var e = Assert.Throws<TorchException>(() => TorchException.Check(status));
        Assert.Contains("order values must be 0..3, got 7 in row 1", e.Message);
        Assert.True(images.Equal(original), "the failed in-place call modified the images");
    }

    [Fact]
    public void Hsv_round_trip_is_close_to_identity()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var back = HsvColorSpace.HsvToRgb(HsvColorSpace.RgbToHsv(input));
        Assert.True(VisionFixtures.MaxAbsDiff(back, input) <= 1e-6);
    }
}
