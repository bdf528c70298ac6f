namespace ReLICv2.Vision;

/// <summary>
/// Random-grayscale kernel (paper Table 16, p = 0.2): flagged RGB images become L = 0.2989·R + 0.587·G + 0.114·B,
/// replicated to three channels (torchvision's rgb_to_grayscale with num_output_channels = 3). One-channel images are
/// already grey and are returned unchanged.
/// </summary>
public static class GrayscaleKernel
{
    /// <summary>The luma [N, 1, H, W] of RGB images [N, 3, H, W] (ITU-R 601-2 weights, as torchvision).</summary>
    public static Tensor Luma(Tensor images)
    {
        VisionChecks.Images(images, "GrayscaleKernel.Luma", rgbOnly: true);
        return Torch.Scoped(() =>
        {
            var r = images.Narrow(1, 0, 1);
            var g = images.Narrow(1, 1, 1);
            var b = images.Narrow(1, 2, 1);
            return r * 0.2989 + g * 0.587 + b * 0.114;
        });
    }

    /// <summary>
    /// Images [N, C, H, W] (C = 1 or 3); <paramref name="flags"/> [N] Bool selects the images turned grey. Float32 CPU
    /// batches take one fused native pass (rs_vision.cpp) unless <paramref name="fused"/> is false.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor flags, bool fused = true)
    {
        VisionChecks.Images(images, "GrayscaleKernel");
        VisionChecks.PerImage(flags, images.Size(0), "GrayscaleKernel", nameof(flags));
        if (images.Size(1) == 1) return images.Clone();
        if (fused && VisionChecks.FusedPath(images)) return Tensor.Wrap(Native.rs_vision_grayscale(images.H, flags.H, 0, out var r), r);
        return Torch.Scoped(() => Torch.Where(VisionChecks.Flags(flags, images), Luma(images).ExpandAs(images), images));
    }

    /// <summary>In-place <see cref="Apply"/>: overwrites <paramref name="images"/> (one native pass for contiguous Float32 CPU batches).</summary>
    public static void Apply_(Tensor images, Tensor flags)
    {
        VisionChecks.Images(images, "GrayscaleKernel");
        VisionChecks.PerImage(flags, images.Size(0), "GrayscaleKernel", nameof(flags));
        if (images.Size(1) == 1) return;
        VisionChecks.InPlace(images, () => Tensor.Wrap(Native.rs_vision_grayscale(images.H, flags.H, 1, out var r), r), () => Apply(images, flags, fused: false));
    }
}
