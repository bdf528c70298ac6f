namespace ReLICv2.Augmentation;

/// <summary>Sampled <see cref="ColorJitter"/> parameters: one <see cref="ColorJitterSample"/> per image.</summary>
public sealed record ColorJitterParams : StepParams
{
    /// <summary>Parameters with the given per-image samples.</summary>
    public ColorJitterParams(IReadOnlyList<ColorJitterSample> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Images = ValueList<ColorJitterSample>.From(images);
    }

    /// <summary>The jitter of each image.</summary>
    public IReadOnlyList<ColorJitterSample> Images { get; }

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override int BatchSize => Images.Count;

    /// <inheritdoc />
    public override string ToString() => $"jitter {Images}";
}
