namespace ReLICv2.Vision;

/// <summary>
/// The distribution shifts of the robustness evaluation (docs/method.md §7.1; ReLICv2 appendix B.4 at small scale): the
/// corruptions of ImageNet-C (Hendrycks &amp; Dietterich 2019) that make sense for 28–96 px images, rotation, and a
/// background shift built from the items' foreground masks. Each has five severities; <see cref="Corruptions"/> applies them.
/// </summary>
public enum Corruption
{
    /// <summary>Additive Gaussian pixel noise, clipped to [0, 1].</summary>
    GaussianNoise,

    /// <summary>Gaussian blur (reflect padding).</summary>
    GaussianBlur,

    /// <summary>Contrast reduced towards each image's mean.</summary>
    Contrast,

    /// <summary>Brightness raised by an additive offset, clipped to [0, 1].</summary>
    Brightness,

    /// <summary>Area-averaged down to a fraction of the side, then enlarged back with nearest-neighbour sampling.</summary>
    Pixelate,

    /// <summary>One JPEG round trip through libjpeg-turbo at a low quality.</summary>
    Jpeg,

    /// <summary>Rotation about the centre by a fixed angle whose sign is drawn per image, zeros outside the source.</summary>
    Rotation,

    /// <summary>The background (where the mask is 0) blended towards a random texture; the foreground is kept exactly.</summary>
    BackgroundShift,
}
