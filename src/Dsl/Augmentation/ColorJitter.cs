using ReLICv2.Vision;

namespace ReLICv2.Augmentation;

/// <summary>
/// Colour jitter (paper Table 16: p = 0.8, brightness 0.4, contrast 0.4, saturation 0.2, hue 0.1): behind one gate of
/// probability <see cref="P"/>, the four ops run in a random order per image with factors drawn as torchvision's
/// ColorJitter — brightness/contrast/saturation ~ U(max(0, 1 − s), 1 + s), hue ~ U(−h, h); an op with strength 0 is
/// left out. On one-channel images saturation and hue are identities (torchvision's behaviour).
/// Kernel: <see cref="ColorJitterKernel.Apply"/>.
/// </summary>
public sealed record ColorJitter : AugmentationStep
{
    /// <summary>A colour jitter; defaults are the paper's.</summary>
    public ColorJitter(double brightness = 0.4, double contrast = 0.4, double saturation = 0.2, double hue = 0.1, double p = 0.8)
    {
        Brightness = Check.InRange(brightness, 0, 1, nameof(ColorJitter), nameof(brightness));
        Contrast = Check.InRange(contrast, 0, 1, nameof(ColorJitter), nameof(contrast));
        Saturation = Check.InRange(saturation, 0, 1, nameof(ColorJitter), nameof(saturation));
        Hue = Check.InRange(hue, 0, 0.5, nameof(ColorJitter), nameof(hue));
        P = Check.Probability(p, nameof(ColorJitter), nameof(p));
    }

    /// <summary>Maximum brightness adjustment s (factor in [1 − s, 1 + s]).</summary>
    public double Brightness { get; }

    /// <summary>Maximum contrast adjustment.</summary>
    public double Contrast { get; }

    /// <summary>Maximum saturation adjustment.</summary>
    public double Saturation { get; }

    /// <summary>Maximum hue shift (fraction of the colour circle, ≤ 0.5).</summary>
    public double Hue { get; }

    /// <summary>Probability that the jitter acts on an image.</summary>
    public double P { get; }


    /// <inheritdoc />
    public override string ToString() =>
        $"ColorJitter(brightness={Check.F(Brightness)}, contrast={Check.F(Contrast)}, saturation={Check.F(Saturation)}, hue={Check.F(Hue)}, p={Check.F(P)})";

    internal override StepParams Sample(AugmentationRandom random, int batchSize, int height, int width)
    {
        var samples = new ColorJitterSample[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            var applied = random.Bernoulli(P);
            var order = random.Permutation(4);
            var b = Factor(random, Brightness);
            var c = Factor(random, Contrast);
            var s = Factor(random, Saturation);
            var h = Hue > 0 ? random.Uniform(-Hue, Hue) : 0.0;
            samples[i] = new ColorJitterSample(applied, b, c, s, h, order);
        }
        return new ColorJitterParams(samples);
    }

    private static double Factor(AugmentationRandom random, double strength) => strength > 0 ? random.Uniform(Math.Max(0, 1 - strength), 1 + strength) : 1.0;

    internal override void Apply(ViewState state, StepParams parameters)
    {
        var p = Expect<ColorJitterParams>(parameters).Images;
        if (p.All(s => !s.Applied)) return;
        var order = Torch.FromArray(p.SelectMany(s => s.Order.Select(o => (long)o)).ToArray(), p.Count, 4);
        var applied = state.Bools(p.Select(i => i.Applied).ToArray());
        var brightness = Brightness > 0 ? state.Floats(p.Select(i => i.Brightness)) : null;
        var contrast = Contrast > 0 ? state.Floats(p.Select(i => i.Contrast)) : null;
        var saturation = Saturation > 0 ? state.Floats(p.Select(i => i.Saturation)) : null;
        var hue = Hue > 0 ? state.Floats(p.Select(i => i.Hue)) : null;
        if (state.Owned) ColorJitterKernel.Apply_(state.Images, order, applied, brightness, contrast, saturation, hue);
        else state.Images = ColorJitterKernel.Apply(state.Images, order, applied, brightness, contrast, saturation, hue);
    }
}
