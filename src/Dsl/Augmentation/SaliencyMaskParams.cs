namespace ReLICv2.Augmentation;

/// <summary>Sampled <see cref="SaliencyMask"/> parameters: per image a flag and the grey level of the replaced background.</summary>
public sealed record SaliencyMaskParams : StepParams
{
    /// <summary>Parameters with the given flags and grey levels (one each per image).</summary>
    public SaliencyMaskParams(IReadOnlyList<bool> applied, IReadOnlyList<double> greyLevels)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(greyLevels);
        if (applied.Count != greyLevels.Count)
            throw new ArgumentException($"SaliencyMaskParams: applied ({applied.Count}) and greyLevels ({greyLevels.Count}) must have one entry per image", nameof(greyLevels));
        Applied = ValueList<bool>.From(applied);
        GreyLevels = ValueList<double>.From(greyLevels);
    }

    /// <summary>Whether each image is drawn from its background-removed version.</summary>
    public IReadOnlyList<bool> Applied { get; }

    /// <summary>The homogeneous grey that replaces each image's background.</summary>
    public IReadOnlyList<double> GreyLevels { get; }

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override int BatchSize => Applied.Count;

    /// <inheritdoc />
    public override string ToString() => $"applied {Applied} grey {GreyLevels}";
}
