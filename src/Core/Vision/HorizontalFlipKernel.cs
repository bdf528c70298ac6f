namespace ReLICv2.Vision;

/// <summary>Horizontal-flip kernel (paper Table 16, flip p = 0.5): mirrors the flagged images of a batch left–right.</summary>
public static class HorizontalFlipKernel
{
    /// <summary>Images [N, C, H, W]; <paramref name="flags"/> [N] Bool, true = mirror that image, as torchvision's hflip.</summary>
    public static Tensor Apply(Tensor images, Tensor flags)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4) throw new ArgumentException($"HorizontalFlipKernel: images must be [N, C, H, W], got [{string.Join(", ", images.Shape)}]", nameof(images));
        VisionChecks.PerImage(flags, images.Size(0), "HorizontalFlipKernel", nameof(flags));
        return Torch.Scoped(() => Torch.Where(VisionChecks.Flags(flags, images), images.Flip(3), images));
    }
}
