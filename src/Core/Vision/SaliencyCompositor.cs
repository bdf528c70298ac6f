namespace ReLICv2.Vision;

/// <summary>
/// Saliency masking of large views (docs/method.md §1.3; ReLICv2 §3.2): where an image is flagged and its foreground mask
/// covers at least <c>minForegroundFraction</c> of the view, the background is replaced by a homogeneous grey:
/// <c>out = m·x + (1 − m)·g</c> with the image's grey level g; otherwise the image is unchanged.
/// Masks are soft ([0, 1], 1 = foreground) and are expected to have gone through the same crop and flip as the view.
/// </summary>
public static class SaliencyCompositor
{
    /// <summary>
    /// Composites images [N, C, H, W] with masks [N, 1, H, W]; <paramref name="flags"/> [N] Bool and
    /// <paramref name="greyLevels"/> [N] in [0, 1] per image. The foreground fraction is the mean of the mask over the view.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor masks, Tensor flags, Tensor greyLevels, double minForegroundFraction)
    {
        VisionChecks.Images(images, "SaliencyCompositor");
        var n = images.Size(0);
        if (masks.Rank != 4 || masks.Size(0) != n || masks.Size(1) != 1 || masks.Size(2) != images.Size(2) || masks.Size(3) != images.Size(3))
            throw new ArgumentException($"SaliencyCompositor: masks must be [N, 1, H, W] = [{n}, 1, {images.Size(2)}, {images.Size(3)}], got [{string.Join(", ", masks.Shape)}]", nameof(masks));
        if (!(minForegroundFraction >= 0 && minForegroundFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(minForegroundFraction), minForegroundFraction, "SaliencyCompositor: minForegroundFraction must be in [0, 1]");
        VisionChecks.PerImage(flags, n, "SaliencyCompositor", nameof(flags));
        VisionChecks.PerImage(greyLevels, n, "SaliencyCompositor", nameof(greyLevels));
        return Torch.Scoped(() =>
        {
            var m = masks.To(images.DType).To(images.Device).Clamp(0, 1);
            var coverage = m.Mean([1, 2, 3], keepDim: true);
            var apply = VisionChecks.Flags(flags, images).LogicalAnd(coverage.Ge(minForegroundFraction));
            var grey = VisionChecks.Broadcast(greyLevels, images);
            var composite = m * images + (1.0 - m) * grey;
            return Torch.Where(apply, composite, images);
        });
    }

    /// <summary>The fraction of each view covered by its mask: the mean of masks [N, 1, H, W] per image, as [N].</summary>
    public static Tensor ForegroundFraction(Tensor masks)
    {
        if (masks.Rank != 4) throw new ArgumentException($"SaliencyCompositor: masks must be [N, 1, H, W], got [{string.Join(", ", masks.Shape)}]", nameof(masks));
        return Torch.Scoped(() => masks.Clamp(0, 1).Mean([1, 2, 3], keepDim: false));
    }
}
