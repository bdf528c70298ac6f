using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>Random grayscale with probability <see cref="P"/> (paper Table 16: 0.2; weights 0.2989/0.587/0.114); <see cref="GrayscaleKernel"/>.</summary>
public sealed record Grayscale : AugmentationStep
{
    /// <summary>Grayscale applied to each image with probability <paramref name="p"/>.</summary>
    public Grayscale(double p = 0.2) => P = Check.Probability(p, nameof(Grayscale), nameof(p));

    /// <summary>Probability of turning an image grey.</summary>
    public double P { get; }


    /// <inheritdoc />
    public override string ToString() => $"Grayscale(p={Check.F(P)})";

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width) =>
        new FlagParams(Enumerable.Range(0, batchSize).Select(_ => random.Bernoulli(P)).ToArray());

    internal override void Apply(ViewState state, StepParams parameters)
    {
        var p = Expect<FlagParams>(parameters);
        if (p.Applied.All(a => !a)) return;
        if (state.Owned) GrayscaleKernel.Apply_(state.Images, state.Bools(p.Applied));
        else state.Images = GrayscaleKernel.Apply(state.Images, state.Bools(p.Applied));
    }
}
