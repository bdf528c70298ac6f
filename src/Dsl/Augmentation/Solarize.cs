using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>Random solarization with probability <see cref="P"/> (paper Table 16: 0.2 odd views, 0 even; x ≥ 0.5 → 1 − x); <see cref="SolarizeKernel"/>.</summary>
public sealed record Solarize : AugmentationStep
{
    /// <summary>Solarization above <paramref name="threshold"/>, applied with probability <paramref name="p"/>.</summary>
    public Solarize(double threshold = 0.5, double p = 0.2)
    {
        Threshold = Check.InRange(threshold, 0, 1, nameof(Solarize), nameof(threshold));
        P = Check.Probability(p, nameof(Solarize), nameof(p));
    }

    /// <summary>Values at or above it are inverted.</summary>
    public double Threshold { get; }

    /// <summary>Probability of solarizing an image.</summary>
    public double P { get; }


    /// <inheritdoc />
    public override string ToString() => $"Solarize(threshold={Check.F(Threshold)}, p={Check.F(P)})";

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width) =>
        new FlagParams(Enumerable.Range(0, batchSize).Select(_ => random.Bernoulli(P)).ToArray());

    internal override void Apply(ViewState state, StepParams parameters)
    {
        var p = Expect<FlagParams>(parameters);
        if (p.Applied.All(a => !a)) return;
        if (state.Owned) SolarizeKernel.Apply_(state.Images, Threshold, state.Bools(p.Applied));
        else state.Images = SolarizeKernel.Apply(state.Images, Threshold, state.Bools(p.Applied));
    }
}
