using System.Text.Json;
using ReLICv2.Augmentation;

namespace ReLICv2.Views;

/// <summary>
/// A ReLICv2 [L, S] view set (docs/method.md §1, §4; paper §3.2 and Table 16): L large views and S small views per image,
/// each an independent draw of its own <see cref="AugmentationChain"/>. All large views have one output size and all
/// small views another. Saliency masking is allowed in large views only. Immutable, compared by value, printable,
/// saved as JSON. <see cref="Sample"/> draws every view's parameters from one seeded stream (large views first, in
/// order, then small views); <see cref="Apply"/> converts the sources to float once and runs each view's chain on the
/// whole batch.
/// </summary>
public sealed record ViewSet
{
    /// <summary>A view set of the given large and small chains; <paramref name="name"/> is a label for printing.</summary>
    public ViewSet(IReadOnlyList<AugmentationChain> largeViews, IReadOnlyList<AugmentationChain> smallViews, string name = "custom")
    {
        ArgumentNullException.ThrowIfNull(largeViews);
        ArgumentNullException.ThrowIfNull(smallViews);
        ArgumentNullException.ThrowIfNull(name);
        if (largeViews.Count is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(largeViews), largeViews.Count, $"ViewSet: largeViews must have 1 to 64 views, got {largeViews.Count}");
        if (smallViews.Count > 64) throw new ArgumentOutOfRangeException(nameof(smallViews), smallViews.Count, $"ViewSet: smallViews must have 0 to 64 views, got {smallViews.Count}");
        LargeSize = CommonSize(largeViews, nameof(largeViews));
        SmallSize = smallViews.Count == 0 ? null : CommonSize(smallViews, nameof(smallViews));
        for (var j = 0; j < smallViews.Count; j++)
            if (smallViews[j].Steps.Any(s => s is SaliencyMask))
                throw new ArgumentException($"ViewSet: small view {j + 1} has a SaliencyMask step; saliency masking applies to large views only", nameof(smallViews));
        LargeViews = ValueList<AugmentationChain>.From(largeViews);
        SmallViews = ValueList<AugmentationChain>.From(smallViews);
        Name = name;
    }

    /// <summary>The chains of the large views (both networks see them).</summary>
    public IReadOnlyList<AugmentationChain> LargeViews { get; }

    /// <summary>The chains of the small views (the online network only).</summary>
    public IReadOnlyList<AugmentationChain> SmallViews { get; }

    /// <summary>A label used when printing.</summary>
    public string Name { get; }

    /// <summary>L, the number of large views.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int LargeCount => LargeViews.Count;

    /// <summary>S, the number of small views.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int SmallCount => SmallViews.Count;

    /// <summary>Output size of the large views in pixels.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int LargeSize { get; }

    /// <summary>Output size of the small views (null when S = 0).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? SmallSize { get; }

    /// <summary>True when some large view needs saliency masks.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool NeedsMasks => LargeViews.Any(v => v.NeedsMasks);

    private static int CommonSize(IReadOnlyList<AugmentationChain> views, string field)
    {
        var sizes = new int[views.Count];
        for (var i = 0; i < views.Count; i++)
        {
            var chain = views[i] ?? throw new ArgumentNullException(field, $"ViewSet: {field}[{i}] is null");
            var crop = chain.Steps.OfType<ResizedCrop>().LastOrDefault()
                ?? throw new ArgumentException($"ViewSet: {field}[{i}] has no ResizedCrop step, so its view size is undefined", field);
            sizes[i] = crop.Size;
            foreach (var blur in chain.Steps.OfType<GaussianBlur>())
                if (blur.KernelSizeFor(crop.Size) / 2 >= crop.Size)
                    throw new ArgumentException($"ViewSet: {field}[{i}] blurs {crop.Size}px views with kernel {blur.KernelSizeFor(crop.Size)}; the kernel must be smaller than twice the view size", field);
        }
        if (sizes.Distinct().Count() > 1)
            throw new ArgumentException($"ViewSet: all {field} must have the same size to be forwarded together, got [{string.Join(", ", sizes)}]", field);
        return sizes[0];
    }

    /// <summary>
    /// The paper's ReLICv2 view set: <paramref name="largeCount"/> views of <paramref name="largeSize"/> px (area
    /// 14–100 %) and <paramref name="smallCount"/> views of <paramref name="smallSize"/> px (area 5–14 %), Table 16
    /// chains with odd/even columns alternating (large views 1, 3, … and small view 1, 3, … odd: blur 0.1, solarize
    /// 0.2; the others even: blur 1.0, no solarize), saliency masking with <paramref name="maskProbability"/> in each
    /// large view independently (paper best 0.1; 0 leaves the step out). Scaled presets: (32, 16) for CIFAR-sized
    /// images, (28, 12) for Fashion-MNIST.
    /// </summary>
    public static ViewSet ReLICv2(int largeCount = 4, int smallCount = 2, int largeSize = 224, int smallSize = 96, double maskProbability = 0,
        InterpolationMode interpolation = InterpolationMode.Bicubic)
    {
        Check.InRange(maskProbability, 0, 1, nameof(ViewSet), nameof(maskProbability));
        var large = Enumerable.Range(0, largeCount).Select(i => AugmentationChain.Table16(largeSize, 0.14, 1.0, i % 2 == 0, maskProbability, interpolation)).ToArray();
        var small = Enumerable.Range(0, smallCount).Select(j => AugmentationChain.Table16(smallSize, 0.05, 0.14, j % 2 == 0, 0, interpolation)).ToArray();
        return new ViewSet(large, small, $"ReLICv2 [{largeCount}x{largeSize}, {smallCount}x{smallSize}]");
    }

    /// <summary>ReLICv2 scaled to CIFAR-sized images: 4 × 32 + 2 × 16 (docs/benchmarks.md §2, relicv2-step-small).</summary>
    public static ViewSet ReLICv2Cifar(double maskProbability = 0) => ReLICv2(largeSize: 32, smallSize: 16, maskProbability: maskProbability);

    /// <summary>
    /// ReLICv2 scaled to Fashion-MNIST (28 px, one channel: saturation, hue and grayscale are identities):
    /// <paramref name="largeCount"/> × 28 px + <paramref name="smallCount"/> × 12 px. The small views are Table 16's
    /// chains (odd/even columns, with blur and solarisation) cropping <paramref name="smallMinArea"/>–<paramref name="smallMaxArea"/>
    /// of the area: 14–50 % by default rather than Table 16's 5–14 %, which at 28 px leaves 6–10 px patches. The large
    /// views crop 30–100 % of the area, flip and jitter brightness and contrast, without Table 16's blur and solarisation
    /// (at 28 px a σ ≤ 2 blur erases most of a garment's texture). The measurements behind both: docs/results.md §2.
    /// </summary>
    public static ViewSet ReLICv2FashionMnist(int largeCount = 4, int smallCount = 2, double maskProbability = 0, double smallMinArea = 0.14,
        double smallMaxArea = 0.5)
    {
        Check.InRange(largeCount, 1, 64, nameof(ViewSet), nameof(largeCount));
        Check.InRange(smallCount, 0, 64, nameof(ViewSet), nameof(smallCount));
        Check.InRange(maskProbability, 0, 1, nameof(ViewSet), nameof(maskProbability));
        Check.Positive(smallMinArea, 1, nameof(ViewSet), nameof(smallMinArea));
        Check.Positive(smallMaxArea, 1, nameof(ViewSet), nameof(smallMaxArea));
        Check.Ordered(smallMinArea, smallMaxArea, nameof(ViewSet), nameof(smallMinArea), nameof(smallMaxArea));
        var large = Enumerable.Range(0, largeCount).Select(_ => FashionMnistLargeView(maskProbability)).ToArray();
        var small = Enumerable.Range(0, smallCount).Select(j => AugmentationChain.Table16(12, smallMinArea, smallMaxArea, j % 2 == 0)).ToArray();
        return new ViewSet(large, small, $"ReLICv2 Fashion-MNIST [{largeCount}x28, {smallCount}x12]");
    }

    private static AugmentationChain FashionMnistLargeView(double maskProbability)
    {
        var steps = new List<AugmentationStep> { new ResizedCrop(28, 0.3, 1.0), new HorizontalFlip(0.5) };
        if (maskProbability > 0) steps.Add(new SaliencyMask(maskProbability));
        steps.Add(new ColorJitter(0.4, 0.4, 0.2, 0.1, 0.8));
        steps.Add(new Grayscale(0.2));
        return new AugmentationChain(steps);
    }

    /// <summary>BYOL's two views (Table 16 chains, area 8–100 %): view 1 odd column, view 2 even column.</summary>
    public static ViewSet Byol(int size = 224, InterpolationMode interpolation = InterpolationMode.Bicubic) =>
        new([AugmentationChain.Table16(size, 0.08, 1.0, true, 0, interpolation), AugmentationChain.Table16(size, 0.08, 1.0, false, 0, interpolation)], [], $"BYOL [2x{size}]");

    /// <summary>
    /// SimCLR's two identical views: crop 8–100 %, flip 0.5, colour jitter of strength 1 (0.8, 0.8, 0.8, 0.2, p 0.8),
    /// grayscale 0.2, blur p 0.5.
    /// </summary>
    public static ViewSet SimClr(int size = 224, InterpolationMode interpolation = InterpolationMode.Bicubic)
    {
        var chain = AugmentationChain.Of(new ResizedCrop(size, 0.08, 1.0, interpolation: interpolation), new HorizontalFlip(0.5),
            new ColorJitter(0.8, 0.8, 0.8, 0.2, 0.8), new Grayscale(0.2), new GaussianBlur(0.1, 2.0, 0.5));
        return new ViewSet([chain, chain], [], $"SimCLR [2x{size}]");
    }

    /// <summary>Draws the parameters of every view for <paramref name="batchSize"/> sources of the given size.</summary>
    public ViewSetParams Sample(int batchSize, int imageHeight, int imageWidth, ulong seed)
    {
        var random = new AugmentationRandom(seed);
        var large = LargeViews.Select(v => v.Sample(batchSize, imageHeight, imageWidth, random)).ToArray();
        var small = SmallViews.Select(v => v.Sample(batchSize, imageHeight, imageWidth, random)).ToArray();
        return new ViewSetParams(large, small);
    }

    /// <summary>
    /// Builds every view of <paramref name="images"/> [N, C, H, W] (UInt8 0–255 or float [0, 1]) with
    /// <paramref name="parameters"/>; <paramref name="masks"/> [N, 1, H, W] are needed when a large view masks.
    /// </summary>
    public ViewBatch Apply(Tensor images, ViewSetParams parameters, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Large.Count != LargeCount || parameters.Small.Count != SmallCount)
            throw new ArgumentException($"ViewSet: parameters are for [{parameters.Large.Count}, {parameters.Small.Count}] views, the set has [{LargeCount}, {SmallCount}]", nameof(parameters));
        if (NeedsMasks && masks is null)
            throw new ArgumentException($"ViewSet: {Name} has saliency masking in its large views but no masks were given", nameof(masks));
        using var scope = Torch.NewScope();
        var source = AugmentationChain.ToUnitFloat(images);
        var sourceMasks = masks is null ? null : AugmentationChain.ToUnitFloat(masks);
        var large = LargeViews.Select((v, i) => scope.MoveOut(v.Apply(source, parameters.Large[i], v.NeedsMasks ? sourceMasks : null))).ToArray();
        var small = SmallViews.Select((v, j) => scope.MoveOut(v.Apply(source, parameters.Small[j]))).ToArray();
        return new ViewBatch(large, small);
    }

    /// <summary>Samples with <paramref name="seed"/> and applies in one call.</summary>
    public ViewBatch Run(Tensor images, ulong seed, Tensor? masks = null) =>
        Apply(images, Sample((int)images.Size(0), (int)images.Size(2), (int)images.Size(3), seed), masks);

    internal static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>This view set as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a view set written by <see cref="ToJson"/>, validating every chain and step.</summary>
    public static ViewSet FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<ViewSet>(json, JsonOptions) ?? throw new ArgumentException("ViewSet.FromJson: the JSON is null", nameof(json));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"ViewSet.FromJson: invalid JSON: {e.Message}", nameof(json), e);
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var lines = new List<string> { $"{Name}: L = {LargeCount} x {LargeSize}px, S = {SmallCount}{(SmallSize is { } s ? $" x {s}px" : "")}" };
        lines.AddRange(LargeViews.Select((v, i) => $"  large {i + 1}: {v}"));
        lines.AddRange(SmallViews.Select((v, j) => $"  small {j + 1}: {v}"));
        return string.Join(Environment.NewLine, lines);
    }
}
