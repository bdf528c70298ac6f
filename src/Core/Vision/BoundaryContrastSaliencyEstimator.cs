using ReLICv2.Data;

namespace ReLICv2.Vision;

/// <summary>
/// A handcrafted, unsupervised saliency estimator from the boundary (background) prior: image borders are mostly
/// background, so a pixel is salient when its colour is far from every border colour. This is the colour-contrast
/// core of background-prior methods — Wei et al., "Geodesic saliency using background priors" (ECCV 2012) and Zhu et
/// al., "Saliency optimization from robust background detection" (CVPR 2014), the handcrafted method ReLICv2 distils
/// its saliency network from — without their superpixel graph. For each image, batched:
/// <list type="number">
/// <item>downscale so the longer side is at most <see cref="WorkingSize"/> (antialiased) and convert to CIE L*a*b*
/// (sRGB, D65; grey images use L* only);</item>
/// <item>take the pixels of a border band <see cref="BorderFraction"/> of the side wide as background samples (at most
/// 128, evenly spaced along the band);</item>
/// <item>saliency of a pixel = mean Lab distance to its k nearest border samples, k = <see cref="NearestFraction"/> of
/// them (the mean over several makes a foreground that touches the border in a few pixels still salient, and a
/// gradient background, whose colours all occur on the border, not salient);</item>
/// <item>smooth with a <see cref="Smoothing"/>-pixel box filter, rescale to [0,1] per image, upsample to the image
/// size (bilinear) and, when <see cref="Binarize"/>, threshold at Otsu's level (Otsu 1979, 64-bin histogram)
/// per image to a {0,1} mask.</item>
/// </list>
/// Everything is batched tensor arithmetic; no per-pixel loops.
/// </summary>
public sealed class BoundaryContrastSaliencyEstimator : SaliencyEstimator
{
    private const int OtsuBins = 64;
    private const int MaxBorderSamples = 128;
    private const int ChunkImages = 32;

    /// <param name="workingSize">Longer side of the working resolution, in [8, 512].</param>
    /// <param name="borderFraction">Width of the border band as a fraction of each side, in (0, 0.25].</param>
    /// <param name="nearestFraction">Fraction k of border samples averaged per pixel, in (0, 1].</param>
    /// <param name="smoothing">Box-filter size at the working resolution, an odd number in [1, 15].</param>
    /// <param name="binarize">Return Otsu-thresholded {0,1} masks instead of the soft [0,1] map.</param>
    public BoundaryContrastSaliencyEstimator(int workingSize = 48, double borderFraction = 0.08, double nearestFraction = 0.1,
        int smoothing = 3, bool binarize = true)
    {
        if (workingSize is < 8 or > 512)
            throw new ArgumentOutOfRangeException(nameof(workingSize), workingSize, "workingSize must be in [8, 512]");
        if (!(borderFraction > 0 && borderFraction <= 0.25))
            throw new ArgumentOutOfRangeException(nameof(borderFraction), borderFraction, "borderFraction must be in (0, 0.25]");
        if (!(nearestFraction > 0 && nearestFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(nearestFraction), nearestFraction, "nearestFraction must be in (0, 1]");
        if (smoothing is < 1 or > 15 || smoothing % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "smoothing must be an odd number in [1, 15]");
        WorkingSize = workingSize;
        BorderFraction = borderFraction;
        NearestFraction = nearestFraction;
        Smoothing = smoothing;
        Binarize = binarize;
    }

    public int WorkingSize { get; }
    public double BorderFraction { get; }
    public double NearestFraction { get; }
    public int Smoothing { get; }
    public bool Binarize { get; }

    protected override Tensor EstimateUnit(Tensor images)
    {
        var x = images;
        var shape = x.Shape;
        var (n, height, width) = (shape[0], shape[2], shape[3]);
        var scale = Math.Min(1.0, (double)WorkingSize / Math.Max(height, width));
        var (h, w) = (Math.Max(4, (long)Math.Round(height * scale)), Math.Max(4, (long)Math.Round(width * scale)));
        if (h != height || w != width) x = Torch.Interpolate(x, h, w, InterpolationMode.Bilinear, alignCorners: false, antialias: true);
        var lab = ToLab(x);                                          // [N,c,h,w]
        var pixels = lab.Flatten(2).Transpose(1, 2);                 // [N,P,c]
        var border = pixels.IndexSelect(1, BorderIndices(h, w));     // [N,B,c]
        var k = Math.Max(1, (long)Math.Round(NearestFraction * border.Size(1)));
        // The [N,P,B] distance tensor is built a chunk of images at a time to bound memory.
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += ChunkImages)
        {
            var len = Math.Min(ChunkImages, n - start);
            var p = pixels.Narrow(0, start, len);
            var b = border.Narrow(0, start, len);
            var d2 = p.Square().Sum(-1, keepDim: true) + b.Square().Sum(-1).Unsqueeze(1) - 2 * p.Bmm(b.Transpose(1, 2));
            parts.Add(d2.ClampMin(0).Sqrt().TopK(k, dim: -1, largest: false).Values.Mean(-1)); // [len,P]
        }
        var nearest = parts.Count == 1 ? parts[0] : Torch.Cat(parts, 0);
        var map = nearest.Reshape(n, 1, h, w);
        if (Smoothing > 1) map = Torch.AvgPool2d(map, Smoothing, stride: 1, padding: Smoothing / 2, countIncludePad: false);
        var lo = map.Flatten(1).Min(1, keepDim: true).Values.Reshape(n, 1, 1, 1);
        var hi = map.Flatten(1).Max(1, keepDim: true).Values.Reshape(n, 1, 1, 1);
        map = (map - lo) / (hi - lo).ClampMin(1e-6);
        if (h != height || w != width) map = Torch.Interpolate(map, height, width, InterpolationMode.Bilinear, alignCorners: false).Clamp(0, 1);
        var result = Binarize ? OtsuForeground(map) : map.Contiguous();
        return result;
    }

    /// <summary>
    /// {0,1} masks: 1 where a map exceeds its own image's Otsu threshold (Otsu 1979: the level maximising the
    /// between-class variance of a 64-bin histogram). <paramref name="map"/> is [N, …] with values in [0,1]; each of the
    /// N maps gets its own threshold; the result has the same shape.
    /// </summary>
    public static Tensor OtsuForeground(Tensor map)
    {
        var n = map.Size(0);
        var q = (map.Flatten(1) * (OtsuBins - 1)).Round().To(DType.Int64);                        // [N,P]
        var hist = Torch.Zeros([n, OtsuBins]).ScatterAdd(1, q, Torch.Ones([n, q.Size(1)]));
        var p = hist / q.Size(1);
        var omega = p.CumSum(1);                                                                  // P(class 0) per threshold
        var mu = (p * Torch.Arange(0, OtsuBins, dtype: DType.Float32)).CumSum(1);
        var muTotal = mu.Narrow(1, OtsuBins - 1, 1);
        var denominator = omega * (1 - omega);
        var between = (muTotal * omega - mu).Square() / denominator.ClampMin(1e-12);
        between = Torch.Where(denominator.Gt(1e-9), between, Torch.Zeros([n, OtsuBins]));
        var threshold = between.Argmax(1, keepDim: true);                                         // [N,1]
        return q.Gt(threshold.Expand(n, q.Size(1))).To(DType.Float32).Reshape(map.Shape);
    }

    /// <summary>Flat indices of the border band of an h × w grid.</summary>
    private Tensor BorderIndices(long h, long w)
    {
        var by = Math.Max(1, (long)Math.Round(BorderFraction * h));
        var bx = Math.Max(1, (long)Math.Round(BorderFraction * w));
        var indices = new List<long>();
        for (long y = 0; y < h; y++)
            for (long x = 0; x < w; x++)
                if (y < by || y >= h - by || x < bx || x >= w - bx) indices.Add(y * w + x);
        var step = (indices.Count + MaxBorderSamples - 1) / MaxBorderSamples;
        var kept = indices.Where((_, i) => i % step == 0).ToArray();
        return Torch.FromArray(kept, kept.Length);
    }

    /// <summary>sRGB in [0,1] → CIE L*a*b* (D65) for 3 channels, L* alone for 1 channel.</summary>
    private static Tensor ToLab(Tensor rgb)
    {
        var linear = Torch.Where(rgb.Le(0.04045), rgb / 12.92, ((rgb + 0.055) / 1.055).Pow(2.4));
        if (rgb.Size(1) == 1) return 116 * F(linear) - 16;
        var m = Torch.FromArray(new float[,]
        {
            { 0.4124f / 0.95047f, 0.3576f / 0.95047f, 0.1805f / 0.95047f },
            { 0.2126f, 0.7152f, 0.0722f },
            { 0.0193f / 1.08883f, 0.1192f / 1.08883f, 0.9505f / 1.08883f },
        });
        var xyz = linear.Permute(0, 2, 3, 1).Matmul(m.T()).Permute(0, 3, 1, 2);               // X/Xn, Y/Yn, Z/Zn
        var f = F(xyz);
        var fx = f.Narrow(1, 0, 1);
        var fy = f.Narrow(1, 1, 1);
        var fz = f.Narrow(1, 2, 1);
        return Torch.Cat([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], 1);
    }

    private static Tensor F(Tensor t)
    {
        const double delta = 6.0 / 29.0;
        return Torch.Where(t.Gt(delta * delta * delta), t.ClampMin(1e-12).Pow(1.0 / 3.0), t / (3 * delta * delta) + 4.0 / 29.0);
    }
}
