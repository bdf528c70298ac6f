using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Augmentation;

namespace ReLICv2.Testing;

/// <summary>
/// FsCheck generators with shrinking for augmentation (paper Table 16; docs/testing.md §1, §3): one per step kind, each
/// covering the step's valid parameter range (probabilities in [0, 1], jitter strengths in [0, 1], hue in [0, 0.5], σ in
/// [0.1, 2.5], crop areas in [0.05, 1] and ratios in [0.5, 2], …), chains of them, cases (a chain, a batch shape and a
/// seed) and sampled parameters. Shrinking removes steps, then moves each parameter towards its simplest value inside
/// the range (a probability towards 0, a crop towards the whole image, a size towards the smallest), so a failing case
/// shrinks to the few steps and the plain values that matter. <see cref="StepKinds"/> lists the kinds covered, one per
/// <see cref="AugmentationStep"/> JSON kind; a new step kind gets its generator in <see cref="Kinds"/>.
/// </summary>
public static class AugmentationArbitraries
{
    /// <summary>
    /// A generator and the fields shrinking simplifies of one step kind; generated sizes are the output sizes a crop
    /// may have, and the smallest of them is what a crop's size shrinks towards.
    /// </summary>
    private sealed record Kind(Type Type, Func<int, int, Gen<AugmentationStep>> Generate, StepField[] Fields);

    private static Kind Of<T>(Func<int, int, Gen<T>> generate, params StepField[] fields) where T : AugmentationStep =>
        new(typeof(T), (lo, hi) => generate(lo, hi).Select(s => (AugmentationStep)s), fields);

    /// <summary>
    /// The step kinds: each one's generator and, field by field (JSON names), the simpler values shrinking tries.
    /// Shrinking edits one field of the step's JSON and reads it back, so fields not listed (and fields a later version
    /// adds) keep their values.
    /// </summary>
    private static readonly Kind[] Kinds =
    [
        Of(CropGen, StepField.Size("size"), StepField.Toward("maxArea", 1), StepField.TowardField("minArea", "maxArea"),
            StepField.Toward("minAspectRatio", 1), StepField.Toward("maxAspectRatio", 1), StepField.Choices("interpolation", "Bilinear", "Bicubic"),
            StepField.Choices("antialias", false, true)),
        Of((_, _) => Between(0, 1).Select(p => new HorizontalFlip(p)), StepField.Toward("p", 0)),
        Of((_, _) => JitterGen, StepField.Toward("p", 0), StepField.Toward("brightness", 0), StepField.Toward("contrast", 0),
            StepField.Toward("saturation", 0), StepField.Toward("hue", 0)),
        Of((_, _) => Between(0, 1).Select(p => new Grayscale(p)), StepField.Toward("p", 0)),
        Of((_, _) => BlurGen, StepField.Toward("p", 0), StepField.TowardField("maxSigma", "minSigma"), StepField.Toward("minSigma", 0.1),
            StepField.Choices("kernelSize", null, 3, 5), StepField.Toward("kernelFraction", 0.1)),
        Of((_, _) => from t in Between(0, 1) from p in Between(0, 1) select new Solarize(t, p), StepField.Toward("p", 0), StepField.Toward("threshold", 0.5)),
        Of((_, _) => MaskGen, StepField.Toward("p", 0), StepField.Toward("minForegroundFraction", 0), StepField.TowardField("maxGrey", "minGrey"),
            StepField.Toward("minGrey", 0)),
    ];

    /// <summary>The step kinds these generators cover (every <see cref="AugmentationStep"/> the library defines).</summary>
    public static IReadOnlyList<Type> StepKinds { get; } = Kinds.Select(k => k.Type).ToArray();

    /// <summary>Random resized crops to a size in [<paramref name="minSize"/>, <paramref name="maxSize"/>] px, both interpolations, antialiased or not.</summary>
    public static Arbitrary<ResizedCrop> ResizedCrops(int minSize = 4, int maxSize = 12) => Typed<ResizedCrop>(minSize, maxSize);

    /// <summary>Horizontal flips with p in [0, 1].</summary>
    public static Arbitrary<HorizontalFlip> HorizontalFlips() => Typed<HorizontalFlip>(4, 4);

    /// <summary>Colour jitters with strengths in [0, 1], hue in [0, 0.5], p in [0, 1].</summary>
    public static Arbitrary<ColorJitter> ColorJitters() => Typed<ColorJitter>(4, 4);

    /// <summary>Random grayscale with p in [0, 1].</summary>
    public static Arbitrary<Grayscale> Grayscales() => Typed<Grayscale>(4, 4);

    /// <summary>Gaussian blurs with σ in [0.1, 2.5], p in [0, 1], a kernel of 3 or 5 or the size rule (fraction 0.1–0.5).</summary>
    public static Arbitrary<GaussianBlur> GaussianBlurs() => Typed<GaussianBlur>(4, 4);

    /// <summary>Solarizations with threshold and p in [0, 1].</summary>
    public static Arbitrary<Solarize> Solarizes() => Typed<Solarize>(4, 4);

    /// <summary>Saliency masks with p, greys and the foreground fraction in [0, 1] (the fraction up to 0.5).</summary>
    public static Arbitrary<SaliencyMask> SaliencyMasks() => Typed<SaliencyMask>(4, 4);

    /// <summary>Steps of one kind (an element of <see cref="StepKinds"/>); crops to [<paramref name="minSize"/>, <paramref name="maxSize"/>] px.</summary>
    public static Arbitrary<AugmentationStep> Steps(Type kind, int minSize = 4, int maxSize = 12)
    {
        var k = Find(kind);
        CheckSizes(minSize, maxSize);
        return Arb.From(k.Generate(minSize, maxSize), s => StepField.Shrink(s, k.Fields, minSize));
    }

    /// <summary>Steps of any kind; crops to [<paramref name="minSize"/>, <paramref name="maxSize"/>] px.</summary>
    public static Arbitrary<AugmentationStep> Steps(int minSize = 4, int maxSize = 12)
    {
        CheckSizes(minSize, maxSize);
        return Arb.From(Gen.OneOf(Kinds.Select(k => k.Generate(minSize, maxSize)).ToArray()), s => ShrinkStep(s, minSize));
    }

    /// <summary>
    /// Chains of a crop to [<paramref name="minSize"/>, <paramref name="maxSize"/>] px followed by up to
    /// <paramref name="maxSteps"/> steps of any other kind in any order (at most the FsCheck size of them);
    /// <paramref name="masks"/> includes <see cref="SaliencyMask"/> steps. Shrinking keeps the leading crop.
    /// </summary>
    public static Arbitrary<AugmentationChain> Chains(int minSize = 4, int maxSize = 12, int maxSteps = 5, bool masks = true)
    {
        CheckSizes(minSize, maxSize);
        if (maxSteps < 0) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"AugmentationArbitraries: maxSteps must be >= 0, got {maxSteps}");
        var others = Kinds.Where(k => k.Type != typeof(ResizedCrop) && (masks || k.Type != typeof(SaliencyMask))).Select(k => k.Generate(minSize, maxSize)).ToArray();
        var gen =
            from crop in CropGen(minSize, maxSize)
            from count in Gen.Sized(size => Gen.Choose(0, Math.Min(maxSteps, size)))
            from rest in Gen.OneOf(others).ArrayOf(count)
            select new AugmentationChain([crop, .. rest]);
        return Arb.From(gen, c => ShrinkChain(c, minSize, keep: 1));
    }

    /// <summary>Chains of 1 to <paramref name="maxSteps"/> steps of one kind only, to check a law against that kind alone.</summary>
    public static Arbitrary<AugmentationChain> ChainsOf(Type kind, int minSize = 4, int maxSize = 12, int maxSteps = 3)
    {
        var k = Find(kind);
        CheckSizes(minSize, maxSize);
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"AugmentationArbitraries: maxSteps must be >= 1, got {maxSteps}");
        var gen = Gen.Choose(1, maxSteps).SelectMany(n => k.Generate(minSize, maxSize).ArrayOf(n)).Select(steps => new AugmentationChain(steps));
        return Arb.From(gen, c => ShrinkChain(c, minSize, keep: 0, minCount: 1));
    }

    /// <summary>
    /// Cases for <paramref name="chains"/> (default <see cref="Chains"/>): a batch of 1–3 images with 1 or 3 channels,
    /// [<paramref name="minImage"/>, <paramref name="maxImage"/>] px high and wide, as floats in [0, 1] or bytes, and a seed.
    /// </summary>
    public static Arbitrary<AugmentationCase> Cases(Arbitrary<AugmentationChain>? chains = null, int minImage = 6, int maxImage = 14)
    {
        chains ??= Chains();
        if (minImage < 2 || maxImage < minImage)
            throw new ArgumentOutOfRangeException(nameof(minImage), minImage, $"AugmentationArbitraries: image sizes must satisfy 2 <= minImage <= maxImage, got [{minImage}, {maxImage}]");
        var gen =
            from chain in chains.Generator
            from n in Gen.Choose(1, 3)
            from c in Gen.Elements(1, 3)
            from h in Gen.Choose(minImage, maxImage)
            from w in Gen.Choose(minImage, maxImage)
            from bytes in Gen.Elements(false, true)
            from seed in Gen.Choose(0, 100_000)
            select new AugmentationCase(chain, n, c, h, w, bytes, (ulong)seed);
        return Arb.From(gen, c => ShrinkCase(c, chains, minImage));
    }

    /// <summary>
    /// Parameters sampled by a case's chain for its batch and image size (<see cref="AugmentationChain.Sample(int, int, int, ulong)"/>);
    /// shrinking keeps the parameters of fewer images.
    /// </summary>
    public static Arbitrary<ChainParams> ChainParams(Arbitrary<AugmentationCase>? cases = null) =>
        Arb.From((cases ?? Cases()).Generator.Select(c => c.Chain.Sample(c.BatchSize, c.Height, c.Width, c.Seed)), TakeImages);

    /// <summary>Parameters of one step kind sampled for 1–3 images (each <see cref="StepParams"/> record kind comes from some step kind).</summary>
    public static Arbitrary<StepParams> StepParams(Type kind) =>
        Arb.From(ChainParams(Cases(ChainsOf(kind, maxSteps: 1))).Generator.Select(p => p.Steps[0]), p => TakeImages(p).Where(q => q.BatchSize > 0));

    /// <summary>The chains' shrinker for other generators (a view set shrinks its chains with it).</summary>
    internal static IEnumerable<AugmentationChain> ShrinkChain(AugmentationChain chain, int minSize, int keep, int minCount = 0) =>
        Shrinks.List(chain.Steps, s => ShrinkStep(s, minSize), keep, minCount).Select(steps => new AugmentationChain(steps));

    /// <summary>A step's candidates, by its kind.</summary>
    internal static IEnumerable<AugmentationStep> ShrinkStep(AugmentationStep step, int minSize) =>
        Kinds.FirstOrDefault(k => k.Type == step.GetType()) is { } kind ? StepField.Shrink(step, kind.Fields, minSize) : [];

    /// <summary>Uniform values on a grid of 1/1000 of [<paramref name="low"/>, <paramref name="high"/>].</summary>
    internal static Gen<double> Between(double low, double high) => Gen.Choose(0, 1000).Select(i => low + (high - low) * i / 1000.0);

    private static Arbitrary<T> Typed<T>(int minSize, int maxSize) where T : AugmentationStep
    {
        var k = Find(typeof(T));
        CheckSizes(minSize, maxSize);
        return Arb.From(k.Generate(minSize, maxSize).Select(s => (T)s), s => StepField.Shrink(s, k.Fields, minSize).Cast<T>());
    }

    private static Kind Find(Type kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return Kinds.FirstOrDefault(k => k.Type == kind)
            ?? throw new ArgumentException($"AugmentationArbitraries: no generator for step kind {kind.Name}; the kinds are {string.Join(", ", StepKinds.Select(t => t.Name))}", nameof(kind));
    }

    private static void CheckSizes(int minSize, int maxSize)
    {
        if (minSize < 1 || maxSize < minSize || maxSize > 8192)
            throw new ArgumentOutOfRangeException(nameof(minSize), minSize, $"AugmentationArbitraries: crop sizes must satisfy 1 <= minSize <= maxSize <= 8192, got [{minSize}, {maxSize}]");
    }

    private static Gen<ResizedCrop> CropGen(int minSize, int maxSize) =>
        from s in Gen.Choose(minSize, maxSize)
        from a in Between(0.05, 1)
        from b in Between(0.05, 1)
        from r1 in Between(0.5, 2)
        from r2 in Between(0.5, 2)
        from bicubic in Gen.Elements(true, false)
        from antialias in Gen.Elements(false, false, true)
        select new ResizedCrop(s, Math.Min(a, b), Math.Max(a, b), Math.Min(r1, r2), Math.Max(r1, r2), bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear,
            antialias);

    private static Gen<ColorJitter> JitterGen =>
        from b in Between(0, 1)
        from c in Between(0, 1)
        from s in Between(0, 1)
        from h in Between(0, 0.5)
        from p in Between(0, 1)
        select new ColorJitter(b, c, s, h, p);

    private static Gen<GaussianBlur> BlurGen =>
        from lo in Between(0.1, 1.5)
        from extra in Between(0, 1)
        from p in Between(0, 1)
        from k in Gen.Elements<int?>(null, 3, 5)
        from fraction in Gen.Elements(0.1, 0.25, 0.5)
        select new GaussianBlur(lo, lo + extra, p, k, fraction);

    private static Gen<SaliencyMask> MaskGen =>
        from p in Between(0, 1)
        from a in Between(0, 1)
        from b in Between(0, 1)
        from fraction in Between(0, 0.5)
        select new SaliencyMask(p, Math.Min(a, b), Math.Max(a, b), fraction);

    private static IEnumerable<AugmentationCase> ShrinkCase(AugmentationCase c, Arbitrary<AugmentationChain> chains, int minImage) =>
        chains.Shrinker(c.Chain).Select(chain => c with { Chain = chain })
            .Concat(Shrinks.Toward(c.BatchSize, 1).Select(n => c with { BatchSize = n }))
            .Concat(c.Channels == 3 ? [c with { Channels = 1 }] : [])
            .Concat(Shrinks.Toward(c.Height, minImage).Select(h => c with { Height = h }))
            .Concat(Shrinks.Toward(c.Width, minImage).Select(w => c with { Width = w }))
            .Concat(c.Bytes ? [c with { Bytes = false }] : [])
            .Concat(Shrinks.Toward((int)c.Seed, 0).Select(s => c with { Seed = (ulong)s }));

    /// <summary>The parameters of the first k images, for k from 1 up.</summary>
    internal static IEnumerable<StepParams> TakeImages(StepParams p) => Enumerable.Range(1, Math.Max(0, p.BatchSize - 1)).Select(k => Take(p, k)).OfType<StepParams>();

    /// <summary>The chain parameters of the first k images, for k from 1 up (none when a step's parameters cannot be cut).</summary>
    internal static IEnumerable<ChainParams> TakeImages(ChainParams p)
    {
        for (var k = 1; k < p.BatchSize; k++)
        {
            var steps = p.Steps.Select(s => Take(s, k)).ToArray();
            if (steps.Any(s => s is null)) yield break;
            yield return new ChainParams(p.ImageHeight, p.ImageWidth, steps!);
        }
    }

    private static StepParams? Take(StepParams p, int k) => p switch
    {
        ResizedCropParams c => new ResizedCropParams(c.Boxes.Take(k).ToArray()),
        FlagParams f => new FlagParams(f.Applied.Take(k).ToArray()),
        ColorJitterParams j => new ColorJitterParams(j.Images.Take(k).ToArray()),
        GaussianBlurParams b => new GaussianBlurParams(b.Applied.Take(k).ToArray(), b.Sigmas.Take(k).ToArray()),
        SaliencyMaskParams m => new SaliencyMaskParams(m.Applied.Take(k).ToArray(), m.GreyLevels.Take(k).ToArray()),
        _ => null,
    };
}
