namespace ReLICv2.Vision;

/// <summary>
/// Gaussian-blur kernel (paper Table 16: σ ~ U(0.1, 2.0), p = 1.0 even / 0.1 odd views, kernel ≈ 10 % of the view size,
/// odd): each image has its own σ; the blur is torchvision's gaussian_blur — normalised 1-D Gaussian taps
/// <c>exp(−x²/2σ²)</c> at x = −(k−1)/2 … (k−1)/2, reflect padding of k/2 pixels — computed as two separable depthwise
/// convolutions over the whole batch (one group per image and channel). Unflagged images get a unit impulse and pass
/// through unchanged. The result is clamped to [0, 1] (normalised taps can overshoot by an ulp).
/// </summary>
public static class GaussianBlurKernel
{
    /// <summary>
    /// The odd kernel size used for a view of <paramref name="viewSize"/> pixels: the nearest odd integer to
    /// <paramref name="fraction"/>·size (BYOL: 23 for 224), at least 3, and small enough for reflect padding (&lt; size).
    /// </summary>
    public static int KernelSizeFor(int viewSize, double fraction = 0.1)
    {
        if (viewSize < 2) throw new ArgumentOutOfRangeException(nameof(viewSize), viewSize, "KernelSizeFor: viewSize must be >= 2");
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "KernelSizeFor: fraction must be in (0, 1]");
        var k = (int)Math.Floor(fraction * viewSize / 2.0) * 2 + 1;
        k = Math.Max(k, 3);
        while (k / 2 >= viewSize) k -= 2;
        return Math.Max(k, 1);
    }

    /// <summary>
    /// Blurs images [N, C, H, W]; <paramref name="sigmas"/> [N] (&gt; 0) per image; <paramref name="flags"/> [N] Bool
    /// (optional, default all) selects the blurred images. <paramref name="kernelSize"/> is odd with kernelSize/2 &lt; H, W.
    /// Float32 CPU batches run in a fused native kernel (rs_vision.cpp: per image plane, rows then columns with
    /// reflected borders) unless <paramref name="fused"/> is false; otherwise two depthwise convolutions.
    /// </summary>
    public static Tensor Apply(Tensor images, int kernelSize, Tensor sigmas, Tensor? flags = null, bool fused = true)
    {
        Validate(images, kernelSize, sigmas, flags);
        var n = images.Size(0);
        var c = images.Size(1);
        var h = images.Size(2);
        var w = images.Size(3);
        if (kernelSize == 1) return images.Clone();
        return Torch.Scoped(() =>
        {
            var taps = Taps(images, kernelSize, sigmas);
            if (fused && VisionChecks.FusedPath(images))
            {
                var gate = flags ?? Torch.Ones([n], DType.Bool, images.Device);
                return Tensor.Wrap(Native.rs_vision_gaussian_blur(images.H, taps.H, gate.H, 0, out var r), r);
            }
            if (flags is not null)
            {
                var impulse = Torch.Zeros([1, kernelSize], DType.Float32, images.Device);
                impulse.Narrow(1, kernelSize / 2, 1).Fill_(1.0);
                var f = flags.To(DType.Bool).To(images.Device).Reshape(-1, 1);
                taps = Torch.Where(f, taps, impulse.ExpandAs(taps));
            }
            var perChannel = taps.To(images.DType).Reshape(n, 1, kernelSize).Expand(n, c, kernelSize).Reshape(n * c, 1, kernelSize);
            var vertical = perChannel.Reshape(n * c, 1, kernelSize, 1);
            var horizontal = perChannel.Reshape(n * c, 1, 1, kernelSize);
            var p = kernelSize / 2;
            var padded = Torch.Pad(images, [p, p, p, p], PadMode.Reflect).Reshape(1, n * c, h + 2 * p, w + 2 * p);
            var rows = Torch.Conv2d(padded, vertical, null, [1, 1], [0, 0], [1, 1], n * c);
            var both = Torch.Conv2d(rows, horizontal, null, [1, 1], [0, 0], [1, 1], n * c);
            return both.Reshape(n, c, h, w).Clamp(0, 1);
        });
    }

    /// <summary>In-place <see cref="Apply"/>: overwrites <paramref name="images"/> (native, per image plane, for contiguous Float32 CPU batches).</summary>
    public static void Apply_(Tensor images, int kernelSize, Tensor sigmas, Tensor? flags = null)
    {
        Validate(images, kernelSize, sigmas, flags);
        if (kernelSize == 1) return;
        VisionChecks.InPlace(images, () => Torch.Scoped(() =>
        {
            var gate = flags ?? Torch.Ones([images.Size(0)], DType.Bool, images.Device);
            return Tensor.Wrap(Native.rs_vision_gaussian_blur(images.H, Taps(images, kernelSize, sigmas).H, gate.H, 1, out var r), r);
        }), () => Apply(images, kernelSize, sigmas, flags, fused: false));
    }

    private static void Validate(Tensor images, int kernelSize, Tensor sigmas, Tensor? flags)
    {
        VisionChecks.Images(images, "GaussianBlurKernel");
        var n = images.Size(0);
        var h = images.Size(2);
        var w = images.Size(3);
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "GaussianBlurKernel: kernelSize must be an odd integer >= 1");
        if (kernelSize / 2 >= Math.Min(h, w))
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"GaussianBlurKernel: kernelSize/2 must be < the image size {h}x{w} for reflect padding");
        VisionChecks.PerImage(sigmas, n, "GaussianBlurKernel", nameof(sigmas));
        VisionChecks.PerImage(flags, n, "GaussianBlurKernel", nameof(flags));
    }

    /// <summary>Normalised taps [N, k] of torchvision's _get_gaussian_kernel1d for each image's σ (float32).</summary>
    private static Tensor Taps(Tensor images, int kernelSize, Tensor sigmas)
    {
        var half = (kernelSize - 1) * 0.5;
        using var x = Torch.Linspace(-half, half, kernelSize, DType.Float32, images.Device);
        using var row = x.Reshape(1, -1);
        using var typed = sigmas.To(DType.Float32);
        using var placed = typed.To(images.Device);
        using var s = placed.Reshape(-1, 1);
        using var scaled = row / s;
        using var squared = scaled.Square();
        using var exponent = squared.Mul(-0.5);
        using var pdf = exponent.Exp();
        using var total = pdf.Sum(1, keepDim: true);
        return pdf / total;
    }
}
