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

    [Fact]
    public void Per_image_order_matches_torchvision_applied_in_that_order()
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load("jitter_order.json");
        var input = VisionFixtures.Input();
        var order = fixture.GetProperty("order").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetInt64())).ToArray();
        var f = fixture.GetProperty("factors").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        Tensor Column(int op) => Torch.FromArray(f.Select(r => r[op]).ToArray());
        var output = ColorJitterKernel.Apply(input, Torch.FromArray(order, 2, 4), Torch.FromArray(new[] { true, true }),
            Column(0), Column(1), Column(2), Column(3));
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
    public void Hsv_round_trip_is_close_to_identity()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var back = HsvColorSpace.HsvToRgb(HsvColorSpace.RgbToHsv(input));
        Assert.True(VisionFixtures.MaxAbsDiff(back, input) <= 1e-6);
    }
}
