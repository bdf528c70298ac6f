namespace ReLICv2.Augmentation;

/// <summary>Sampled parameters of a step that is either applied to an image or not (flip, grayscale, solarize): one flag per image.</summary>
public sealed record FlagParams : StepParams
{
    /// <summary>Parameters with the given flags (one per image).</summary>
    public FlagParams(IReadOnlyList<bool> applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        Applied = ValueList<bool>.From(applied);
    }

    /// <summary>Whether the step acts on each image.</summary>
    public IReadOnlyList<bool> Applied { get; }

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override int BatchSize => Applied.Count;

    /// <inheritdoc />
    public override string ToString() => $"applied {Applied}";
}
