using Xunit;
using ReLICv2.Vision;

namespace ReLICv2.Tests;

/// <summary>Resized crop and flip against torchvision 0.14 (crop then resize on tensors, antialias=False).</summary>
public class GeometryKernelTests
{
    [Theory]
    [InlineData(10, 12, true)]
    [InlineData(5, 6, true)]
    [InlineData(10, 12, false)]
    [InlineData(5, 6, false)]
    public void Bilinear_resized_crop_matches_torchvision_crop_then_resize(int h, int w, bool fused)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load($"resized_crop_bilinear_{h}x{w}.json");
        var boxes = fixture.GetProperty("boxes").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray();
        var output = ResizedCropKernel.Apply(VisionFixtures.Input(), Torch.FromArray(boxes, 2, 4), h, w, InterpolationMode.Bilinear, fused: fused);
        // Same sampling positions as torchvision; differences are float rounding of the grid normalisation.
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= 1e-5);
    }

    [Theory]
    [InlineData(10, 12)]
    [InlineData(5, 6)]
    public void Fused_bicubic_resized_crop_matches_torchvision_crop_then_resize(int h, int w)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load($"resized_crop_bicubic_{h}x{w}.json");
        var boxes = fixture.GetProperty("boxes").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray();
        var output = ResizedCropKernel.Apply(VisionFixtures.Input(), Torch.FromArray(boxes, 2, 4), h, w, InterpolationMode.Bicubic);
        // Taps clamped to the crop as crop-then-resize; the separable order is PyTorch's, so only rounding differs.
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= 1e-5);
    }

    [Theory]
    [InlineData(24, 20, true)]
    [InlineData(11, 9, true)]
    [InlineData(24, 20, false)]
    [InlineData(11, 9, false)]
    public void Bicubic_resize_of_the_whole_image_matches_torchvision(int h, int w, bool fused)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load($"resize_bicubic_{h}x{w}.json");
        var boxes = Torch.FromArray(new float[] { 0, 0, 16, 16, 0, 0, 16, 16 }, 2, 4);
        var output = ResizedCropKernel.Apply(VisionFixtures.Input(), boxes, h, w, InterpolationMode.Bicubic, fused: fused);
        // Full-image box: the image border and the crop border coincide, so the 4 x 4 taps are clamped identically.
        Assert.True(VisionFixtures.MaxAbsDiff(output, VisionFixtures.Tensor(fixture)) <= 1e-5);
    }

    [Theory]
    [InlineData("bilinear", 5, 6), InlineData("bilinear", 3, 4), InlineData("bilinear", 12, 4)]
    [InlineData("bicubic", 5, 6), InlineData("bicubic", 3, 4), InlineData("bicubic", 12, 4)]
    public void Antialiased_resized_crop_matches_pytorch_interpolate_with_antialias(string mode, int h, int w)
    {
        using var scope = Torch.NewScope();
        var fixture = VisionFixtures.Load($"resized_crop_{mode}_aa_{h}x{w}.json");
        var boxes = Torch.FromArray(fixture.GetProperty("boxes").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray(), 2, 4);
        var interpolation = mode == "bicubic" ? InterpolationMode.Bicubic : InterpolationMode.Bilinear;
        var expected = VisionFixtures.Tensor(fixture);
        var output = ResizedCropKernel.Apply(VisionFixtures.Input(), boxes, h, w, interpolation, antialias: true);
        Assert.True(VisionFixtures.MaxAbsDiff(output, expected) <= 1e-5, $"max |difference| {VisionFixtures.MaxAbsDiff(output, expected)}");
        var double64 = ResizedCropKernel.Apply(VisionFixtures.Input().To(DType.Float64), boxes, h, w, interpolation, antialias: true);
        Assert.True(VisionFixtures.MaxAbsDiff(double64.To(DType.Float32), expected) <= 1e-5);
        // the flip mirrors the antialiased output, as cropping then flipping does
        var flipped = ResizedCropKernel.Apply(VisionFixtures.Input(), boxes, h, w, interpolation, Torch.FromArray(new[] { true, false }), antialias: true);
        Assert.True(VisionFixtures.MaxAbsDiff(flipped, HorizontalFlipKernel.Apply(output, Torch.FromArray(new[] { true, false }))) <= 1e-6);
    }

    /// <summary>A 1-px checkerboard (0/1) on a [1, 1, size, size] image, plus <paramref name="ramp"/> times a linear ramp.</summary>
    private static Tensor Checkerboard(int size, double ramp = 0)
    {
        var data = new float[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                data[y * size + x] = (float)((1 - ramp) * ((x + y) % 2) + ramp * (x + 2.0 * y) / (3.0 * size));
        return Torch.FromArray(data, 1, 1, size, size);
    }

    private static double Variance(Tensor t) => t.Var(new long[] { 0, 1, 2, 3 }, unbiased: false).Item();

    [Theory]
    [InlineData(3), InlineData(5)]
    public void Antialiased_downscale_of_a_checkerboard_is_nearly_flat_where_point_sampling_aliases(int factor)
    {
        using var scope = Torch.NewScope();
        const int output = 16;
        var image = Checkerboard(output * factor);
        var box = Torch.FromArray(new float[] { 0, 0, output * factor, output * factor }, 1, 4);
        foreach (var mode in new[] { InterpolationMode.Bilinear, InterpolationMode.Bicubic })
        {
            var aliased = Variance(ResizedCropKernel.Apply(image, box, output, output, mode));
            var smooth = Variance(ResizedCropKernel.Apply(image, box, output, output, mode, antialias: true));
            // point sampling at an odd factor hits one colour per output pixel: a full-contrast checkerboard again
            Assert.True(aliased > 0.2, $"{mode}, factor {factor}: without antialiasing the variance is {aliased}");
            Assert.True(smooth < 0.01 * aliased, $"{mode}, factor {factor}: antialiased variance {smooth} vs {aliased}");
        }
    }

    [Theory]
    [InlineData(2), InlineData(4)]
    public void Antialiased_bilinear_downscale_by_an_integer_factor_equals_the_area_average_away_from_the_border(int factor)
    {
        using var scope = Torch.NewScope();
        const int output = 8;
        var size = output * factor;
        var image = Checkerboard(size, ramp: 0.5);
        var box = Torch.FromArray(new float[] { 0, 0, size, size }, 1, 4);
        var pixels = image.ToArray<float>();
        var area = new double[output * output];
        for (var oy = 0; oy < output; oy++)
            for (var ox = 0; ox < output; ox++)
                for (var y = oy * factor; y < (oy + 1) * factor; y++)
                    for (var x = ox * factor; x < (ox + 1) * factor; x++)
                        area[oy * output + ox] += pixels[y * size + x] / (double)(factor * factor);
        var antialiased = ResizedCropKernel.Apply(image, box, output, output, antialias: true).ToArray<float>();
        // the widened triangle is symmetric about the block centre and averages the checkerboard to its mean; the first and
        // last output rows and columns have taps cut by the image border
        for (var oy = 1; oy < output - 1; oy++)
        {
            for (var ox = 1; ox < output - 1; ox++)
            {
                var k = oy * output + ox;
                Assert.True(Math.Abs(antialiased[k] - area[k]) <= 1e-5, $"({oy}, {ox}): antialiased {antialiased[k]} vs area average {area[k]}");
            }
        }
    }

    [Fact]
    public void Full_image_box_at_the_same_size_is_the_identity()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var boxes = Torch.FromArray(new float[] { 0, 0, 16, 16, 0, 0, 16, 16 }, 2, 4);
        Assert.True(VisionFixtures.MaxAbsDiff(ResizedCropKernel.Apply(input, boxes, 16, 16), input) <= 1e-6);
        Assert.True(VisionFixtures.MaxAbsDiff(ResizedCropKernel.Apply(input, boxes, 16, 16, InterpolationMode.Bicubic), input) <= 1e-6);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Flip_inside_the_crop_equals_crop_then_flip(bool fused)
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var boxes = Torch.FromArray(new float[] { 2, 3, 9, 11, 0, 5, 16, 7 }, 2, 4);
        var flags = Torch.FromArray(new[] { true, false });
        var once = ResizedCropKernel.Apply(input, boxes, 10, 12, flip: flags, fused: fused);
        var separate = HorizontalFlipKernel.Apply(ResizedCropKernel.Apply(input, boxes, 10, 12, fused: fused), flags);
        Assert.True(VisionFixtures.MaxAbsDiff(once, separate) <= 1e-6);
    }

    [Fact]
    public void Boxes_outside_the_image_are_rejected_naming_the_box()
    {
        using var scope = Torch.NewScope();
        var boxes = Torch.FromArray(new float[] { 0, 0, 16, 16, 4, 4, 13, 8 }, 2, 4);
        var ex = Assert.Throws<TorchException>(() => ResizedCropKernel.Apply(VisionFixtures.Input(), boxes, 8, 8));
        Assert.Contains("box 1", ex.Message);
    }

    [Fact]
    public void Flip_mirrors_only_flagged_images_and_twice_is_identity()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var flags = Torch.FromArray(new[] { true, false });
        var once = HorizontalFlipKernel.Apply(input, flags);
        Assert.True(once.Select(0, 0).Equal(input.Select(0, 0).Flip(2)));
        Assert.True(once.Select(0, 1).Equal(input.Select(0, 1)));
        Assert.True(HorizontalFlipKernel.Apply(once, flags).Equal(input));
    }

    [Fact]
    public void Rejects_boxes_of_the_wrong_shape()
    {
        using var scope = Torch.NewScope();
        var ex = Assert.Throws<ArgumentException>(() => ResizedCropKernel.Apply(VisionFixtures.Input(), Torch.Zeros(2, 3), 4, 4));
        Assert.Contains("boxes", ex.Message);
    }
}
