using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>
/// Saliency masking (ReLICv2 §3.2, docs/method.md §1.3; paper best p = 0.1): with probability <see cref="P"/> a view is built
/// from the background-removed image — foreground kept, background replaced by a homogeneous grey drawn uniformly
/// from [<see cref="MinGrey"/>, <see cref="MaxGrey"/>] per image — provided the mask covers at least
/// <see cref="MinForegroundFraction"/> of the view. The mask has gone through the chain's crop and flip, so the
/// fraction is measured on the view. Large views only (a <see cref="ReLICv2.Views.ViewSet"/> rejects it in small
/// views). Kernel: <see cref="SaliencyCompositor"/>.
/// </summary>
public sealed record SaliencyMask : AugmentationStep
{
    /// <summary>Masking with probability <paramref name="p"/>, grey in [<paramref name="minGrey"/>, <paramref name="maxGrey"/>].</summary>
    public SaliencyMask(double p = 0.1, double minGrey = 0.0, double maxGrey = 1.0, double minForegroundFraction = 0.05)
    {
        P = Check.Probability(p, nameof(SaliencyMask), nameof(p));
        MinGrey = Check.InRange(minGrey, 0, 1, nameof(SaliencyMask), nameof(minGrey));
        MaxGrey = Check.InRange(maxGrey, 0, 1, nameof(SaliencyMask), nameof(maxGrey));
        Check.Ordered(minGrey, maxGrey, nameof(SaliencyMask), nameof(minGrey), nameof(maxGrey));
        MinForegroundFraction = Check.InRange(minForegroundFraction, 0, 1, nameof(SaliencyMask), nameof(minForegroundFraction));
    }

    /// <summary>Probability of using the background-removed image.</summary>
    public double P { get; }

    /// <summary>Darkest background grey.</summary>
    public double MinGrey { get; }

    /// <summary>Brightest background grey.</summary>
    public double MaxGrey { get; }

    /// <summary>The mask is used only when its mean over the view is at least this.</summary>
    public double MinForegroundFraction { get; }


    /// <inheritdoc />
    public override string ToString() =>
        $"SaliencyMask(p={Check.F(P)}, grey [{Check.F(MinGrey)}, {Check.F(MaxGrey)}], min foreground {Check.F(MinForegroundFraction)})";

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width)
    {
        var applied = new bool[batchSize];
        var grey = new double[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            applied[i] = random.Bernoulli(P);
            grey[i] = random.Uniform(MinGrey, MaxGrey);
        }
        return new SaliencyMaskParams(applied, grey);
    }

    internal override void Apply(ViewState state, StepParams parameters)
    {
        var p = Expect<SaliencyMaskParams>(parameters);
        if (p.Applied.All(a => !a)) return;
        var masks = state.Masks ?? throw new ArgumentException("SaliencyMask: the chain masks views but no masks were given to Apply", "masks");
        state.Images = SaliencyCompositor.Apply(state.Images, masks, state.Bools(p.Applied), state.Floats(p.GreyLevels), MinForegroundFraction);
    }
}
