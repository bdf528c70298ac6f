using System.Globalization;

namespace ReLICv2.Vision;

/// <summary>
/// Corrupted copies of image batches for the robustness evaluation (docs/method.md §7.1): every <see cref="Corruption"/> at
/// severities 1–5 (0 is the identity), batched tensor operations on [N, C, H, W] images in [0, 1], deterministic for a
/// seed. Severity parameters follow ImageNet-C (Hendrycks &amp; Dietterich 2019) in spirit, scaled for 28–32 px images:
/// <list type="table">
/// <item><term>Gaussian noise</term><description>σ = 0.04, 0.08, 0.12, 0.18, 0.26 (ImageNet-C: 0.08 … 0.38; one grey
/// channel carries less redundancy than three)</description></item>
/// <item><term>Gaussian blur</term><description>σ = 0.5, 0.75, 1, 1.5, 2 px, kernel 2⌈3σ⌉ + 1 (ImageNet-C: 1 … 6 px at 224 px)</description></item>
/// <item><term>contrast</term><description>x′ = μ + c(x − μ), c = 0.6, 0.45, 0.3, 0.2, 0.1, μ the image mean (ImageNet-C: 0.4 … 0.05)</description></item>
/// <item><term>brightness</term><description>x′ = clip(x + b), b = 0.1, 0.2, 0.3, 0.4, 0.5 (ImageNet-C adds the same to HSV value)</description></item>
/// <item><term>pixelate</term><description>side × 0.6, 0.45, 0.35, 0.25, 0.18 by area averaging, back up by nearest
/// neighbour (ImageNet-C: 0.6 … 0.25; at 28 px that is 17, 13, 10, 7, 5 px)</description></item>
/// <item><term>JPEG</term><description>quality 50, 30, 20, 12, 6 (ImageNet-C: 25 … 7; an 8×8 block is a larger share of a
/// 28 px image, so the mild end starts higher)</description></item>
/// <item><term>rotation</term><description>±6°, 12°, 18°, 24°, 30°, sign drawn per image, bilinear, zeros outside</description></item>
/// <item><term>background shift</term><description>x′ = x + a(1 − m)(T − x), a = 0.2, 0.4, 0.6, 0.8, 1 with m the
/// foreground mask and T a random texture per image (an oriented sine grating of 2–6 cycles mixed with smooth 4×4 noise
/// upsampled); foreground pixels (m = 1) are unchanged</description></item>
/// </list>
/// The random parts (noise, rotation signs, textures) are drawn from <c>seed</c> only, so the severities of one seed share
/// them and differ only in strength.
/// </summary>
public static class Corruptions
{
    /// <summary>The highest severity.</summary>
    public const int MaxSeverity = 5;

    /// <summary>Every corruption, in table order.</summary>
    public static IReadOnlyList<Corruption> All { get; } = Enum.GetValues<Corruption>();

    private static readonly double[] NoiseSigma = [0, 0.04, 0.08, 0.12, 0.18, 0.26];
    private static readonly double[] BlurSigma = [0, 0.5, 0.75, 1.0, 1.5, 2.0];
    private static readonly double[] ContrastFactor = [1, 0.6, 0.45, 0.3, 0.2, 0.1];
    private static readonly double[] BrightnessOffset = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    private static readonly double[] PixelateFraction = [1, 0.6, 0.45, 0.35, 0.25, 0.18];
    private static readonly double[] JpegQuality = [100, 50, 30, 20, 12, 6];
    private static readonly double[] RotationDegrees = [0, 6, 12, 18, 24, 30];
    private static readonly double[] BackgroundStrength = [0, 0.2, 0.4, 0.6, 0.8, 1.0];

    /// <summary>
    /// The parameter of <paramref name="corruption"/> at <paramref name="severity"/> (0–5; at 0 the identity's value): noise σ,
    /// blur σ in pixels, contrast factor, brightness offset, pixelation side fraction, JPEG quality, rotation in degrees, or
    /// background blend strength.
    /// </summary>
    public static double Parameter(Corruption corruption, int severity)
    {
        CheckSeverity(severity);
        return Table(corruption)[severity];
    }

    /// <summary>The name used in results and reports: <c>gaussian-noise</c>, <c>gaussian-blur</c>, … <c>background-shift</c>.</summary>
    public static string Name(Corruption corruption) => corruption switch
    {
        Corruption.GaussianNoise => "gaussian-noise",
        Corruption.GaussianBlur => "gaussian-blur",
        Corruption.Contrast => "contrast",
        Corruption.Brightness => "brightness",
        Corruption.Pixelate => "pixelate",
        Corruption.Jpeg => "jpeg",
        Corruption.Rotation => "rotation",
        Corruption.BackgroundShift => "background-shift",
        _ => throw new ArgumentOutOfRangeException(nameof(corruption), corruption, $"Corruptions: corruption must be one of {string.Join(", ", Enum.GetNames<Corruption>())}"),
    };

    /// <summary>The corruption named <paramref name="name"/> (as <see cref="Name"/> writes it, or the enum name; case-insensitive).</summary>
    /// <exception cref="ArgumentException">No corruption has that name; the message lists the names.</exception>
    public static Corruption Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var c in All)
            if (string.Equals(Name(c), name, StringComparison.OrdinalIgnoreCase) || string.Equals(c.ToString(), name, StringComparison.OrdinalIgnoreCase))
                return c;
        throw new ArgumentException($"Corruptions: '{name}' is not a corruption (allowed: {string.Join(", ", All.Select(Name))})", nameof(name));
    }

    /// <summary>The parameter at <paramref name="severity"/> in words, e.g. <c>σ = 0.12</c> or <c>quality 20</c>.</summary>
    public static string Describe(Corruption corruption, int severity)
    {
        var v = Parameter(corruption, severity).ToString("0.###", CultureInfo.InvariantCulture);
        return corruption switch
        {
            Corruption.GaussianNoise => $"σ = {v}",
            Corruption.GaussianBlur => $"σ = {v} px",
            Corruption.Contrast => $"factor {v}",
            Corruption.Brightness => $"+{v}",
            Corruption.Pixelate => $"side × {v}",
            Corruption.Jpeg => $"quality {v}",
            Corruption.Rotation => $"±{v}°",
            _ => $"strength {v}",
        };
    }

    /// <summary>
    /// <paramref name="images"/> [N, C, H, W] (C = 1 or 3; UInt8 0–255 or floating point in [0, 1]) under
    /// <paramref name="corruption"/> at <paramref name="severity"/> in [0, 5], as Float32 in [0, 1]. <paramref name="masks"/>
    /// [N, 1, H, W] in [0, 1] (1 = foreground) are needed by <see cref="Corruption.BackgroundShift"/> only.
    /// </summary>
    /// <exception cref="ArgumentException">A shape, dtype or severity is out of range, or the background shift has no masks.</exception>
    public static Tensor Apply(Tensor images, Corruption corruption, int severity, ulong seed, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        CheckSeverity(severity);
        var table = Table(corruption);
        if (images.Rank != 4 || images.Size(1) is not (1 or 3))
            throw new ArgumentException($"Corruptions: images must be [N, C, H, W] with C = 1 or 3, got {Tensor.FormatShape(images.Shape)}", nameof(images));
        if (corruption == Corruption.BackgroundShift)
        {
            if (masks is null) throw new ArgumentException("Corruptions: the background shift needs foreground masks [N, 1, H, W]", nameof(masks));
            if (masks.Rank != 4 || masks.Size(0) != images.Size(0) || masks.Size(1) != 1 || masks.Size(2) != images.Size(2) || masks.Size(3) != images.Size(3))
                throw new ArgumentException($"Corruptions: masks must be [N, 1, H, W] = [{images.Size(0)}, 1, {images.Size(2)}, {images.Size(3)}], got {Tensor.FormatShape(masks.Shape)}", nameof(masks));
        }
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = images.DType == DType.UInt8 ? images.To(DType.Float32) / 255.0 : images.Detach().To(DType.Float32).Clamp(0, 1);
        if (severity == 0) return scope.MoveOut(x.Clone());
        var p = table[severity];
        var result = corruption switch
        {
            Corruption.GaussianNoise => GaussianNoise(x, p, seed),
            Corruption.GaussianBlur => Blur(x, p),
            Corruption.Contrast => Contrast(x, p),
            Corruption.Brightness => (x + p).Clamp(0, 1),
            Corruption.Pixelate => Pixelate(x, p),
            Corruption.Jpeg => Jpeg(x, (int)p),
            Corruption.Rotation => Rotate(x, p, seed),
            _ => BackgroundShift(x, masks!, p, seed),
        };
        return scope.MoveOut(result);
    }

    private static Tensor GaussianNoise(Tensor x, double sigma, ulong seed)
    {
        using var g = new Generator(seed);
        return (x + Torch.Randn(x.Shape, g) * sigma).Clamp(0, 1);
    }

    private static Tensor Blur(Tensor x, double sigma)
    {
        var n = x.Size(0);
        var kernel = 2 * (int)Math.Ceiling(3 * sigma) + 1;
        var side = (int)Math.Min(x.Size(2), x.Size(3));
        while (kernel / 2 >= side) kernel -= 2;
        return GaussianBlurKernel.Apply(x, kernel, Torch.Full([n], sigma, DType.Float32));
    }

    private static Tensor Contrast(Tensor x, double factor)
    {
        var mean = x.Mean([1, 2, 3], keepDim: true);
        return ((x - mean) * factor + mean).Clamp(0, 1);
    }

    private static Tensor Pixelate(Tensor x, double fraction)
    {
        var (h, w) = (x.Size(2), x.Size(3));
        var small = Torch.AdaptiveAvgPool2d(x, Math.Max(1, (long)Math.Round(h * fraction)), Math.Max(1, (long)Math.Round(w * fraction)));
        return Torch.Interpolate(small, h, w, InterpolationMode.Nearest).Clamp(0, 1);
    }

    private static Tensor Jpeg(Tensor x, int quality)
    {
        var (n, c, h, w) = ((int)x.Size(0), (int)x.Size(1), (int)x.Size(2), (int)x.Size(3));
        // libjpeg works on interleaved 8-bit rows: one round trip per image, the conversions batched.
        var hwc = (x * 255.0).Round().To(DType.UInt8).Permute(0, 2, 3, 1).Contiguous().ToArray<byte>();
        var per = h * w * c;
        var decoded = new byte[hwc.Length];
        Parallel.For(0, n, i =>
        {
            var image = new DecodedImage(w, h, c, hwc.AsSpan(i * per, per).ToArray());
            JpegEncoder.RoundTrip(image, quality).Pixels.CopyTo(decoded, i * per);
        });
        return Torch.FromArray(decoded, n, h, w, c).Permute(0, 3, 1, 2).To(DType.Float32) / 255.0;
    }

    private static Tensor Rotate(Tensor x, double degrees, ulong seed)
    {
        var n = x.Size(0);
        using var g = new Generator(seed);
        var sign = Torch.Rand([n], g).Lt(0.5).To(DType.Float32) * 2.0 - 1.0;
        var angle = sign * (degrees * Math.PI / 180);
        var (cos, sin) = (angle.Cos(), angle.Sin());
        var zero = Torch.Zeros([n], DType.Float32);
        // affine_grid maps output to input coordinates in [-1, 1]; the aspect ratio is 1 for square images, and for the
        // others the rotation is of the normalised square, as torchvision's tensor rotate does without expansion.
        var theta = Torch.Stack([cos, sin.Neg(), zero, sin, cos, zero], 1).Reshape(n, 2, 3);
        var grid = Torch.AffineGrid(theta, x.Shape, alignCorners: false);
        return Torch.GridSample(x, grid, GridSampleMode.Bilinear, GridPadding.Zeros, alignCorners: false).Clamp(0, 1);
    }

    private static Tensor BackgroundShift(Tensor x, Tensor masks, double strength, ulong seed)
    {
        var m = masks.To(DType.Float32).Clamp(0, 1);
        var texture = Texture(x.Size(0), x.Size(1), x.Size(2), x.Size(3), seed);
        return x + (1.0 - m) * (texture - x) * strength;
    }

    /// <summary>Random textures [N, C, H, W] in [0, 1]: an oriented sine grating of 2–6 cycles per image side mixed with smooth colour noise.</summary>
    private static Tensor Texture(long n, long c, long h, long w, ulong seed)
    {
        using var g = new Generator(seed ^ 0x5DEECE66DUL);
        var cycles = Torch.Rand([n, 1, 1, 1], g) * 4.0 + 2.0;
        var orientation = Torch.Rand([n, 1, 1, 1], g) * Math.PI;
        var phase = Torch.Rand([n, 1, 1, 1], g) * (2 * Math.PI);
        var ys = Torch.Arange(0, h, 1, DType.Float32).Reshape(1, 1, h, 1) / (double)h;
        var xs = Torch.Arange(0, w, 1, DType.Float32).Reshape(1, 1, 1, w) / (double)w;
        var along = xs * orientation.Cos() + ys * orientation.Sin();
        var grating = ((along * cycles * (2 * Math.PI) + phase).Sin() + 1.0) * 0.5;
        var noise = Torch.Interpolate(Torch.Rand([n, c, 4, 4], g), h, w, InterpolationMode.Bilinear, alignCorners: true);
        return (grating * 0.5 + noise * 0.5).Clamp(0, 1);
    }

    private static double[] Table(Corruption corruption) => corruption switch
    {
        Corruption.GaussianNoise => NoiseSigma,
        Corruption.GaussianBlur => BlurSigma,
        Corruption.Contrast => ContrastFactor,
        Corruption.Brightness => BrightnessOffset,
        Corruption.Pixelate => PixelateFraction,
        Corruption.Jpeg => JpegQuality,
        Corruption.Rotation => RotationDegrees,
        Corruption.BackgroundShift => BackgroundStrength,
        _ => throw new ArgumentOutOfRangeException(nameof(corruption), corruption, $"Corruptions: corruption must be one of {string.Join(", ", Enum.GetNames<Corruption>())}"),
    };

    private static void CheckSeverity(int severity)
    {
        if (severity is < 0 or > MaxSeverity)
            throw new ArgumentOutOfRangeException(nameof(severity), severity, $"Corruptions: severity must be in [0, {MaxSeverity}] (0 = clean)");
    }
}
