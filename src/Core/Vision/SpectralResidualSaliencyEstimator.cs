using ReLICv2.Data;

namespace ReLICv2.Vision;

/// <summary>
/// The spectral residual saliency detector of Hou &amp; Zhang, "Saliency detection: a spectral residual approach"
/// (CVPR 2007), batched: on the grey image resized so its longer side is at most <see cref="WorkingSize"/> (64 in the
/// paper), with F = FFT2(I), A = log|F|, P = arg F, the spectral residual R = A − h₃ * A (3×3 mean filter) gives the
/// saliency map S = g_σ * |IFFT2(exp(R + iP))|² (g_σ Gaussian, σ = <see cref="SigmaFraction"/> of the working width;
/// the paper's 8 px at 64). S is rescaled to [0,1] per image, upsampled to the image size and, when
/// <see cref="Binarize"/>, turned into the paper's object map: 1 where S exceeds
/// <see cref="ThresholdFactor"/> (paper: 3) times its mean. It finds "proto-objects" that stand out from the image's
/// typical spectrum, small ones best; for large centred objects on clean backgrounds
/// <see cref="BoundaryContrastSaliencyEstimator"/> is usually better.
/// </summary>
public sealed class SpectralResidualSaliencyEstimator : SaliencyEstimator
{
    /// <param name="workingSize">Longer side of the working resolution, in [16, 256] (images smaller than this keep their size).</param>
    /// <param name="sigmaFraction">Gaussian σ as a fraction of the working width, in (0, 0.5].</param>
    /// <param name="thresholdFactor">Object-map threshold as a multiple of the mean saliency, in (0, 10].</param>
    /// <param name="binarize">Return {0,1} object maps instead of the soft [0,1] saliency.</param>
    public SpectralResidualSaliencyEstimator(int workingSize = 64, double sigmaFraction = 0.125, double thresholdFactor = 3.0, bool binarize = true)
    {
        if (workingSize is < 16 or > 256)
            throw new ArgumentOutOfRangeException(nameof(workingSize), workingSize, "workingSize must be in [16, 256]");
        if (!(sigmaFraction > 0 && sigmaFraction <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(sigmaFraction), sigmaFraction, "sigmaFraction must be in (0, 0.5]");
        if (!(thresholdFactor > 0 && thresholdFactor <= 10))
            throw new ArgumentOutOfRangeException(nameof(thresholdFactor), thresholdFactor, "thresholdFactor must be in (0, 10]");
        WorkingSize = workingSize;
        SigmaFraction = sigmaFraction;
        ThresholdFactor = thresholdFactor;
        Binarize = binarize;
    }

    public int WorkingSize { get; }
    public double SigmaFraction { get; }
    public double ThresholdFactor { get; }
    public bool Binarize { get; }

    protected override Tensor EstimateUnit(Tensor images)
    {
        var x = images;
        var shape = x.Shape;
        var (n, height, width) = (shape[0], shape[2], shape[3]);
        if (x.Size(1) == 3)
            x = (x * Torch.FromArray(new float[] { 0.299f, 0.587f, 0.114f }, 1, 3, 1, 1)).Sum(1, keepDim: true);
        var scale = Math.Min(1.0, (double)WorkingSize / Math.Max(height, width));
        var (h, w) = (Math.Max(8, (long)Math.Round(height * scale)), Math.Max(8, (long)Math.Round(width * scale)));
        if (h != height || w != width) x = Torch.Interpolate(x, h, w, InterpolationMode.Bilinear, alignCorners: false, antialias: true);

        var spectrum = Fourier.Fft2(x);
        var logAmplitude = (spectrum.Abs() + 1e-8).Log();
        var phase = spectrum.Angle();
        var averaged = Torch.AvgPool2d(Torch.Pad(logAmplitude, [1, 1, 1, 1], PadMode.Replicate), 3, stride: 1);
        var residual = logAmplitude - averaged;
        var back = Fourier.Ifft2(ComplexTensor.FromPolar(residual.Exp(), phase));
        var map = GaussianSmooth(back.AbsSquare(), SigmaFraction * w);

        var lo = map.Flatten(1).Min(1, keepDim: true).Values.Reshape(n, 1, 1, 1);
        var hi = map.Flatten(1).Max(1, keepDim: true).Values.Reshape(n, 1, 1, 1);
        map = (map - lo) / (hi - lo).ClampMin(1e-12);
        if (h != height || w != width) map = Torch.Interpolate(map, height, width, InterpolationMode.Bilinear, alignCorners: false).Clamp(0, 1);
        Tensor result;
        if (Binarize)
        {
            var threshold = (map.Flatten(1).Mean(1, keepDim: true) * ThresholdFactor).Reshape(n, 1, 1, 1);
            result = map.Gt(threshold.Expand(map.Shape)).To(DType.Float32);
        }
        else
        {
            result = map.Contiguous();
        }
        return result;
    }

    /// <summary>Separable Gaussian filter of standard deviation <paramref name="sigma"/> pixels, reflect-padded, on [N,1,h,w].</summary>
    private static Tensor GaussianSmooth(Tensor map, double sigma)
    {
        var h = map.Size(2);
        var w = map.Size(3);
        var radius = (int)Math.Min(Math.Ceiling(3 * sigma), Math.Min(h, w) - 1);
        if (radius < 1) return map;
        var weights = new float[2 * radius + 1];
        for (var i = -radius; i <= radius; i++) weights[i + radius] = (float)Math.Exp(-0.5 * i * i / (sigma * sigma));
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++) weights[i] /= total;
        var kx = Torch.FromArray(weights, 1, 1, 1, weights.Length);
        var ky = Torch.FromArray(weights, 1, 1, weights.Length, 1);
        var padded = Torch.Pad(map, [radius, radius, radius, radius], PadMode.Reflect);
        return Torch.Conv2d(Torch.Conv2d(padded, kx), ky);
    }
}
