namespace ReLICv2.Augmentation;

/// <summary>Sampled <see cref="ResizedCrop"/> parameters: one crop box per image.</summary>
public sealed record ResizedCropParams : StepParams
{
    /// <summary>Parameters with the given boxes (one per image).</summary>
    public ResizedCropParams(IReadOnlyList<CropBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        Boxes = ValueList<CropBox>.From(boxes);
    }

    /// <summary>The crop of each image.</summary>
    public IReadOnlyList<CropBox> Boxes { get; }

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override int BatchSize => Boxes.Count;

    /// <inheritdoc />
    public override string ToString() => $"boxes {Boxes}";
}
