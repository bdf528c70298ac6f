namespace ReLICv2.Augmentation;

/// <summary>
/// Everything an <see cref="AugmentationChain"/> drew for one batch: the source image size it was drawn for and one
/// <see cref="StepParams"/> per step. Replaying it with <see cref="AugmentationChain.Apply"/> gives the same views.
/// </summary>
public sealed record ChainParams
{
    /// <summary>Parameters for a batch of sources of <paramref name="imageHeight"/> × <paramref name="imageWidth"/> pixels.</summary>
    public ChainParams(int imageHeight, int imageWidth, IReadOnlyList<StepParams> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ImageHeight = Check.InRange(imageHeight, 1, 1 << 20, nameof(ChainParams), nameof(imageHeight));
        ImageWidth = Check.InRange(imageWidth, 1, 1 << 20, nameof(ChainParams), nameof(imageWidth));
        Steps = ValueList<StepParams>.From(steps);
        var sizes = Steps.Select(s => s.BatchSize).Distinct().ToArray();
        if (sizes.Length > 1) throw new ArgumentException($"ChainParams: every step must describe the same number of images, got [{string.Join(", ", Steps.Select(s => s.BatchSize))}]", nameof(steps));
    }

    /// <summary>Source image height the parameters were drawn for.</summary>
    public int ImageHeight { get; }

    /// <summary>Source image width the parameters were drawn for.</summary>
    public int ImageWidth { get; }

    /// <summary>One entry per chain step.</summary>
    public IReadOnlyList<StepParams> Steps { get; }

    /// <summary>The number of images (0 for a chain without steps).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int BatchSize => Steps.Count == 0 ? 0 : Steps[0].BatchSize;

    /// <summary>This value as JSON.</summary>
    public string ToJson() => DslJson.Serialize(this);

    /// <summary>Reads a value written by <see cref="ToJson"/>.</summary>
    public static ChainParams FromJson(string json) => DslJson.Deserialize<ChainParams>(json, nameof(ChainParams));

    /// <inheritdoc />
    public override string ToString() => $"ChainParams({ImageHeight}x{ImageWidth}: {string.Join("; ", Steps.Select((s, i) => $"{i + 1}. {s}"))})";
}
