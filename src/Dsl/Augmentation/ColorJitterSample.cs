namespace ReLICv2.Augmentation;

/// <summary>
/// The colour jitter drawn for one image: whether the gate opened, the four factors (torchvision's meaning: multiply
/// for brightness/contrast/saturation, hue shift as a fraction of the colour circle) and the order in which the ops
/// run (a permutation of 0 = brightness, 1 = contrast, 2 = saturation, 3 = hue).
/// </summary>
public sealed record ColorJitterSample
{
    /// <summary>One image's jitter.</summary>
    public ColorJitterSample(bool applied, double brightness, double contrast, double saturation, double hue, IReadOnlyList<int> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Count != 4 || order.OrderBy(i => i).Where((v, i) => v != i).Any())
            throw new ArgumentException($"ColorJitterSample: order must be a permutation of 0..3, got [{string.Join(", ", order)}]", nameof(order));
        Applied = applied;
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
        Hue = hue;
        Order = ValueList<int>.From(order);
    }

    /// <summary>Whether the jitter acts on this image (probability p of <see cref="ColorJitter"/>).</summary>
    public bool Applied { get; }

    /// <summary>Brightness factor.</summary>
    public double Brightness { get; }

    /// <summary>Contrast factor.</summary>
    public double Contrast { get; }

    /// <summary>Saturation factor.</summary>
    public double Saturation { get; }

    /// <summary>Hue shift in [−0.5, 0.5].</summary>
    public double Hue { get; }

    /// <summary>The order of the four ops.</summary>
    public IReadOnlyList<int> Order { get; }

    /// <inheritdoc />
    public override string ToString() => Applied
        ? $"(b={Check.F(Brightness)} c={Check.F(Contrast)} s={Check.F(Saturation)} h={Check.F(Hue)} order {Order})"
        : "(off)";
}
