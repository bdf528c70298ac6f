using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>Random horizontal flip with probability <see cref="P"/> (paper Table 16: 0.5 for every view); <see cref="HorizontalFlipKernel"/>.</summary>
public sealed record HorizontalFlip : AugmentationStep
{
    /// <summary>A flip applied to each image with probability <paramref name="p"/>.</summary>
    public HorizontalFlip(double p = 0.5) => P = Check.Probability(p, nameof(HorizontalFlip), nameof(p));

    /// <summary>Probability of mirroring an image.</summary>
    public double P { get; }


    /// <inheritdoc />
    public override string ToString() => $"HorizontalFlip(p={Check.F(P)})";

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width) =>
        new FlagParams(Enumerable.Range(0, batchSize).Select(_ => random.Bernoulli(P)).ToArray());

    internal override void Apply(ViewState state, StepParams parameters)
    {
        var flags = state.Bools(Expect<FlagParams>(parameters).Applied);
        state.Images = HorizontalFlipKernel.Apply(state.Images, flags);
        if (state.Masks is not null) state.Masks = HorizontalFlipKernel.Apply(state.Masks, flags);
    }
}
