namespace ReLICv2.Vision;

/// <summary>Solarize kernel (paper Table 16, odd views p = 0.2): in flagged images every value x ≥ threshold becomes 1 − x (torchvision's solarize on float tensors).</summary>
public static class SolarizeKernel
{
    /// <summary>
    /// Images [N, C, H, W] in [0, 1]; <paramref name="flags"/> [N] Bool selects the solarized images. Float32 CPU batches
    /// take one fused native pass (rs_vision.cpp) unless <paramref name="fused"/> is false.
    /// </summary>
    public static Tensor Apply(Tensor images, double threshold, Tensor flags, bool fused = true)
    {
        VisionChecks.Images(images, "SolarizeKernel");
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "SolarizeKernel: threshold must be in [0, 1]");
        VisionChecks.PerImage(flags, images.Size(0), "SolarizeKernel", nameof(flags));
        if (fused && VisionChecks.FusedPath(images)) return Tensor.Wrap(Native.rs_vision_solarize(images.H, threshold, flags.H, 0, out var r), r);
        return Torch.Scoped(() =>
        {
            var inverted = 1.0 - images;
            var above = images.Ge(threshold);
            var apply = above.LogicalAnd(VisionChecks.Flags(flags, images));
            return Torch.Where(apply, inverted, images);
        });
    }

    /// <summary>In-place <see cref="Apply"/>: overwrites <paramref name="images"/> (one native pass for contiguous Float32 CPU batches).</summary>
    public static void Apply_(Tensor images, double threshold, Tensor flags)
    {
        VisionChecks.Images(images, "SolarizeKernel");
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "SolarizeKernel: threshold must be in [0, 1]");
        VisionChecks.PerImage(flags, images.Size(0), "SolarizeKernel", nameof(flags));
        VisionChecks.InPlace(images, () => Tensor.Wrap(Native.rs_vision_solarize(images.H, threshold, flags.H, 1, out var r), r),
            () => Apply(images, threshold, flags, fused: false));
    }
}
