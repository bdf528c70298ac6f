using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>
/// Random Gaussian blur (paper Table 16: σ ~ U(0.1, 2.0), p = 1.0 even views / 0.1 odd views, kernel ≈ 10 % of the
/// view, odd). The kernel size is <see cref="KernelSize"/> when given, otherwise
/// <see cref="GaussianBlurKernel.KernelSizeFor"/>(view size, <see cref="KernelFraction"/>): 23 at 224 px, 9 at 96 px,
/// 3 at 32 and 16 px. Kernel: <see cref="GaussianBlurKernel"/>.
/// </summary>
public sealed record GaussianBlur : AugmentationStep
{
    /// <summary>A blur with σ uniform in [<paramref name="minSigma"/>, <paramref name="maxSigma"/>] applied with probability <paramref name="p"/>.</summary>
    public GaussianBlur(double minSigma = 0.1, double maxSigma = 2.0, double p = 1.0, int? kernelSize = null, double kernelFraction = 0.1)
    {
        MinSigma = Check.Positive(minSigma, 100, nameof(GaussianBlur), nameof(minSigma));
        MaxSigma = Check.Positive(maxSigma, 100, nameof(GaussianBlur), nameof(maxSigma));
        Check.Ordered(minSigma, maxSigma, nameof(GaussianBlur), nameof(minSigma), nameof(maxSigma));
        P = Check.Probability(p, nameof(GaussianBlur), nameof(p));
        if (kernelSize is { } k && (k < 1 || k > 255 || k % 2 == 0))
            throw new ArgumentOutOfRangeException(nameof(kernelSize), k, $"GaussianBlur: kernelSize must be an odd integer in [1, 255] (or null for the size rule), got {k}");
        KernelSize = kernelSize;
        KernelFraction = Check.Positive(kernelFraction, 1, nameof(GaussianBlur), nameof(kernelFraction));
    }

    /// <summary>Smallest σ in pixels.</summary>
    public double MinSigma { get; }

    /// <summary>Largest σ in pixels.</summary>
    public double MaxSigma { get; }

    /// <summary>Probability of blurring an image.</summary>
    public double P { get; }

    /// <summary>A fixed odd kernel size, or null for the size rule.</summary>
    public int? KernelSize { get; }

    /// <summary>Kernel size as a fraction of the view size (used when <see cref="KernelSize"/> is null).</summary>
    public double KernelFraction { get; }


    /// <summary>The kernel size used on views of <paramref name="viewSize"/> pixels.</summary>
    public int KernelSizeFor(int viewSize) => KernelSize ?? GaussianBlurKernel.KernelSizeFor(viewSize, KernelFraction);

    /// <inheritdoc />
    public override string ToString() =>
        $"GaussianBlur(sigma [{Check.F(MinSigma)}, {Check.F(MaxSigma)}], p={Check.F(P)}, kernel {(KernelSize is { } k ? k.ToString() : $"{Check.F(KernelFraction)} x size")})";

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width)
    {
        var applied = new bool[batchSize];
        var sigmas = new double[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            applied[i] = random.Bernoulli(P);
            sigmas[i] = random.Uniform(MinSigma, MaxSigma);
        }
        return new GaussianBlurParams(applied, sigmas);
    }

    internal override void Apply(ViewState state, StepParams parameters)
    {
        var p = Expect<GaussianBlurParams>(parameters);
        if (p.Applied.All(a => !a)) return;
        var size = (int)Math.Min(state.Images.Size(2), state.Images.Size(3));
        var k = KernelSizeFor(size);
        if (state.Owned) GaussianBlurKernel.Apply_(state.Images, k, state.Floats(p.Sigmas), state.Bools(p.Applied));
        else state.Images = GaussianBlurKernel.Apply(state.Images, k, state.Floats(p.Sigmas), state.Bools(p.Applied));
    }
}
