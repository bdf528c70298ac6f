namespace ReLICv2.Augmentation;

/// <summary>
/// An ordered list of augmentation steps — one view's recipe (paper Table 16 order: crop → flip → colour jitter →
/// grayscale → blur → solarize; a <see cref="SaliencyMask"/> step goes after the geometric steps). Immutable, compared
/// by value, printed as <c>step → step → …</c>, saved as JSON.
/// <see cref="Sample(int, int, int, ulong)"/> draws per-image parameters on the host from a seeded
/// <see cref="AugmentationRandom"/> (pure: same seed, same parameters); <see cref="Apply"/> runs the batched
/// Core.Vision kernels, one call per step for the whole batch, with a crop followed directly by a flip fused into a
/// single resampling pass.
/// </summary>
public sealed record AugmentationChain
{
    /// <summary>A chain of the given steps (none may be null).</summary>
    public AugmentationChain(IReadOnlyList<AugmentationStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        for (var i = 0; i < steps.Count; i++)
            if (steps[i] is null) throw new ArgumentNullException(nameof(steps), $"AugmentationChain: step {i} is null");
        Steps = ValueList<AugmentationStep>.From(steps);
    }

    /// <summary>A chain of the given steps.</summary>
    public static AugmentationChain Of(params AugmentationStep[] steps) => new(steps);

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<AugmentationStep> Steps { get; }

    /// <summary>This chain with <paramref name="step"/> appended.</summary>
    public AugmentationChain Then(AugmentationStep step) => new(Steps.Append(step).ToArray());

    /// <summary>Output height for sources of <paramref name="height"/> pixels (the last crop's size, else unchanged).</summary>
    public int OutputHeight(int height) => Steps.Aggregate(height, (h, s) => s.OutputHeight(h));

    /// <summary>Output width for sources of <paramref name="width"/> pixels.</summary>
    public int OutputWidth(int width) => Steps.Aggregate(width, (w, s) => s.OutputWidth(w));

    /// <summary>True when a step needs saliency masks (a <see cref="SaliencyMask"/> with p &gt; 0).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool NeedsMasks => Steps.Any(s => s is SaliencyMask { P: > 0 });

    /// <summary>
    /// The paper's Table 16 chain (docs/method.md §4) for one view: crop to <paramref name="size"/> with area in
    /// [<paramref name="minArea"/>, <paramref name="maxArea"/>] → flip 0.5 → [saliency mask] → colour jitter
    /// (0.4, 0.4, 0.2, 0.1, p 0.8) → grayscale 0.2 → blur (σ 0.1–2, p 0.1 odd / 1.0 even) → solarize (p 0.2 odd / 0 even).
    /// </summary>
    public static AugmentationChain Table16(int size, double minArea, double maxArea, bool oddColumn, double maskProbability = 0,
        InterpolationMode interpolation = InterpolationMode.Bicubic)
    {
        var steps = new List<AugmentationStep> { new ResizedCrop(size, minArea, maxArea, interpolation: interpolation), new HorizontalFlip(0.5) };
        if (maskProbability > 0) steps.Add(new SaliencyMask(maskProbability));
        steps.Add(new ColorJitter(0.4, 0.4, 0.2, 0.1, 0.8));
        steps.Add(new Grayscale(0.2));
        steps.Add(new GaussianBlur(0.1, 2.0, oddColumn ? 0.1 : 1.0));
        steps.Add(new Solarize(0.5, oddColumn ? 0.2 : 0.0));
        return new AugmentationChain(steps);
    }

    /// <summary>Draws parameters for <paramref name="batchSize"/> sources of the given size from a generator seeded with <paramref name="seed"/>.</summary>
    public ChainParams Sample(int batchSize, int imageHeight, int imageWidth, ulong seed) =>
        Sample(batchSize, imageHeight, imageWidth, new AugmentationRandom(seed));

    /// <summary>Draws parameters from <paramref name="random"/> (advancing it), step by step, image by image.</summary>
    public ChainParams Sample(int batchSize, int imageHeight, int imageWidth, AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Check.InRange(batchSize, 0, 1 << 24, nameof(AugmentationChain), nameof(batchSize));
        Check.InRange(imageHeight, 1, 1 << 20, nameof(AugmentationChain), nameof(imageHeight));
        Check.InRange(imageWidth, 1, 1 << 20, nameof(AugmentationChain), nameof(imageWidth));
        var list = new List<StepParams>(Steps.Count);
        int h = imageHeight, w = imageWidth;
        foreach (var step in Steps)
        {
            list.Add(step.Sample(random, batchSize, h, w));
            h = step.OutputHeight(h);
            w = step.OutputWidth(w);
        }
        return new ChainParams(imageHeight, imageWidth, list);
    }

    /// <summary>
    /// Applies the chain with <paramref name="parameters"/> to <paramref name="images"/> [N, C, H, W] (UInt8 in
    /// 0–255, converted once, or float in [0, 1]); <paramref name="masks"/> [N, 1, H, W] (float in [0, 1] or UInt8)
    /// follow the geometric steps and are required when the chain has a <see cref="SaliencyMask"/> with p &gt; 0.
    /// Returns a new float tensor [N, C, h, w] in [0, 1].
    /// </summary>
    public Tensor Apply(Tensor images, ChainParams parameters, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(parameters);
        if (images.Rank != 4) throw new ArgumentException($"AugmentationChain: images must be [N, C, H, W], got [{string.Join(", ", images.Shape)}]", nameof(images));
        if (parameters.Steps.Count != Steps.Count)
            throw new ArgumentException($"AugmentationChain: parameters have {parameters.Steps.Count} steps, the chain has {Steps.Count}", nameof(parameters));
        if (Steps.Count > 0 && parameters.BatchSize != images.Size(0))
            throw new ArgumentException($"AugmentationChain: parameters are for {parameters.BatchSize} images, got a batch of {images.Size(0)}", nameof(parameters));
        if (parameters.ImageHeight != images.Size(2) || parameters.ImageWidth != images.Size(3))
            throw new ArgumentException($"AugmentationChain: parameters were drawn for {parameters.ImageHeight}x{parameters.ImageWidth} sources, got {images.Size(2)}x{images.Size(3)}", nameof(parameters));
        if (NeedsMasks && masks is null)
            throw new ArgumentException($"AugmentationChain: the chain has a SaliencyMask step but no masks were given", nameof(masks));
        return Torch.Scoped(() =>
        {
            var state = new ViewState(ToUnitFloat(images), masks is null ? null : ToUnitFloat(masks));
            var lastMaskUse = Steps.Select((s, i) => (s, i)).LastOrDefault(t => t.s is SaliencyMask, (null!, -1)).Item2;
            if (lastMaskUse < 0) state.Masks = null;
            for (var i = 0; i < Steps.Count; i++)
            {
                if (Steps[i] is ResizedCrop crop && i + 1 < Steps.Count && Steps[i + 1] is HorizontalFlip)
                {
                    crop.Apply(state, parameters.Steps[i], parameters.Steps[i + 1] as FlagParams
                        ?? throw new ArgumentException($"AugmentationChain: step {i + 1} expects FlagParams", nameof(parameters)));
                    i++;
                }
                else Steps[i].Apply(state, parameters.Steps[i]);
                if (i >= lastMaskUse) state.Masks = null;
            }
            return ReferenceEquals(state.Images, images) ? images.Clone() : state.Images;
        });
    }

    /// <summary>Samples with <paramref name="seed"/> and applies in one call.</summary>
    public Tensor Run(Tensor images, ulong seed, Tensor? masks = null) =>
        Apply(images, Sample((int)images.Size(0), (int)images.Size(2), (int)images.Size(3), seed), masks);

    /// <summary>UInt8 images (0–255) as Float32 in [0, 1]; floating images unchanged.</summary>
    internal static Tensor ToUnitFloat(Tensor images)
    {
        if (images.DType.IsFloatingPoint()) return images;
        using var f = images.To(DType.Float32);
        return f.Div(255.0);
    }

    /// <summary>This chain as JSON (steps with a <c>kind</c> discriminator).</summary>
    public string ToJson() => DslJson.Serialize(this);

    /// <summary>Reads a chain written by <see cref="ToJson"/>, validating every step.</summary>
    public static AugmentationChain FromJson(string json) => DslJson.Deserialize<AugmentationChain>(json, nameof(AugmentationChain));

    /// <inheritdoc />
    public override string ToString() => Steps.Count == 0 ? "AugmentationChain(identity)" : string.Join(" → ", Steps);
}
