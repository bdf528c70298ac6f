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
