using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>
/// Random resized crop (paper Table 16, first step of every view): a box covering a fraction of the image area drawn
/// uniformly from [MinArea, MaxArea], with aspect ratio log-uniform in [MinAspectRatio, MaxAspectRatio], is cropped and
/// resized to Size × Size. The box is drawn as torchvision's RandomResizedCrop.get_params (10 attempts, then the
/// central crop clamped to the ratio range); the resize is <see cref="ResizedCropKernel"/> (bicubic by default, as the
/// paper; bilinear available), point-sampled as torchvision's tensor default or, with <see cref="Antialias"/>, low-pass
/// filtered when downscaling as torchvision's <c>RandomResizedCrop(…, antialias=True)</c>.
/// </summary>
public sealed record ResizedCrop : AugmentationStep
{
    /// <summary>
    /// A crop to <paramref name="size"/> px; defaults are BYOL's (area 8–100 %, ratio 3/4–4/3, bicubic, no antialiasing).
    /// </summary>
    public ResizedCrop(int size, double minArea = 0.08, double maxArea = 1.0, double minAspectRatio = 3.0 / 4.0, double maxAspectRatio = 4.0 / 3.0,
        InterpolationMode interpolation = InterpolationMode.Bicubic, bool antialias = false)
    {
        Size = Check.InRange(size, 1, 8192, nameof(ResizedCrop), nameof(size));
        MinArea = Check.Positive(minArea, 1, nameof(ResizedCrop), nameof(minArea));
        MaxArea = Check.Positive(maxArea, 1, nameof(ResizedCrop), nameof(maxArea));
        Check.Ordered(minArea, maxArea, nameof(ResizedCrop), nameof(minArea), nameof(maxArea));
        MinAspectRatio = Check.InRange(minAspectRatio, 0.01, 100, nameof(ResizedCrop), nameof(minAspectRatio));
        MaxAspectRatio = Check.InRange(maxAspectRatio, 0.01, 100, nameof(ResizedCrop), nameof(maxAspectRatio));
        Check.Ordered(minAspectRatio, maxAspectRatio, nameof(ResizedCrop), nameof(minAspectRatio), nameof(maxAspectRatio));
        if (interpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic))
            throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, $"ResizedCrop: interpolation must be Bilinear or Bicubic, got {interpolation}");
        Interpolation = interpolation;
        Antialias = antialias;
    }

    /// <summary>Output height and width in pixels.</summary>
    public int Size { get; }

    /// <summary>Smallest fraction of the source area the box covers.</summary>
    public double MinArea { get; }

    /// <summary>Largest fraction of the source area the box covers.</summary>
    public double MaxArea { get; }

    /// <summary>Smallest width/height ratio of the box.</summary>
    public double MinAspectRatio { get; }

    /// <summary>Largest width/height ratio of the box.</summary>
    public double MaxAspectRatio { get; }

    /// <summary>Resampling of the resize.</summary>
    public InterpolationMode Interpolation { get; }

    /// <summary>
    /// Low-pass filter when downscaling (torchvision's <c>antialias=True</c>: the interpolation filter widened by the
    /// downscale factor), instead of point-sampling the crop; also applied to the saliency masks.
    /// </summary>
    public bool Antialias { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"ResizedCrop({Size}px, area [{Check.F(MinArea)}, {Check.F(MaxArea)}], ratio [{Check.F(MinAspectRatio)}, {Check.F(MaxAspectRatio)}], {Interpolation}{(Antialias ? ", antialias" : "")})";

    internal override int OutputHeight(int height) => Size;

    internal override int OutputWidth(int width) => Size;

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width)
    {
        var boxes = new CropBox[batchSize];
        for (var i = 0; i < batchSize; i++) boxes[i] = SampleBox(random, height, width);
        return new ResizedCropParams(boxes);
    }

    /// <summary>One box, following torchvision's RandomResizedCrop.get_params.</summary>
    private CropBox SampleBox(AugmentationRandom random, int height, int width)
    {
        double area = (double)height * width;
        double logLow = Math.Log(MinAspectRatio), logHigh = Math.Log(MaxAspectRatio);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var target = area * random.Uniform(MinArea, MaxArea);
            var ratio = Math.Exp(random.Uniform(logLow, logHigh));
            var w = (int)Math.Round(Math.Sqrt(target * ratio), MidpointRounding.ToEven);
            var h = (int)Math.Round(Math.Sqrt(target / ratio), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
                return new CropBox(random.NextInt(0, height - h + 1), random.NextInt(0, width - w + 1), h, w);
        }
        var inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < MinAspectRatio) { cw = width; ch = Math.Max(1, (int)Math.Round(cw / MinAspectRatio, MidpointRounding.ToEven)); }
        else if (inRatio > MaxAspectRatio) { ch = height; cw = Math.Max(1, (int)Math.Round(ch * MaxAspectRatio, MidpointRounding.ToEven)); }
        else { cw = width; ch = height; }
        return new CropBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    internal override void Apply(ViewState state, StepParams parameters) => Apply(state, parameters, null);

    /// <summary>Crops (and, with <paramref name="flip"/>, mirrors in the same sampling pass) the images and masks.</summary>
    internal void Apply(ViewState state, StepParams parameters, FlagParams? flip)
    {
        var p = Expect<ResizedCropParams>(parameters);
        var boxes = Torch.FromArray(p.Boxes.SelectMany(b => new float[] { b.Top, b.Left, b.Height, b.Width }).ToArray(), p.Boxes.Count, 4);
        var flags = flip is null ? null : state.Bools(flip.Applied);
        state.Images = ResizedCropKernel.Apply(state.Images, boxes, Size, Size, Interpolation, flags, antialias: Antialias);
        if (state.Masks is not null) state.Masks = ResizedCropKernel.Apply(state.Masks, boxes, Size, Size, InterpolationMode.Bilinear, flags, antialias: Antialias);
    }
}
