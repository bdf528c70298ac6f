namespace ReLICv2.Augmentation;

/// <summary>Sampled <see cref="GaussianBlur"/> parameters: per image a flag and a σ (in pixels of the view).</summary>
public sealed record GaussianBlurParams : StepParams
{
    /// <summary>Parameters with the given flags and σ values (one each per image).</summary>
    public GaussianBlurParams(IReadOnlyList<bool> applied, IReadOnlyList<double> sigmas)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(sigmas);
        if (applied.Count != sigmas.Count)
            throw new ArgumentException($"GaussianBlurParams: applied ({applied.Count}) and sigmas ({sigmas.Count}) must have one entry per image", nameof(sigmas));
        Applied = ValueList<bool>.From(applied);
        Sigmas = ValueList<double>.From(sigmas);
    }

    /// <summary>Whether each image is blurred.</summary>
    public IReadOnlyList<bool> Applied { get; }

    /// <summary>The blur σ of each image.</summary>
    public IReadOnlyList<double> Sigmas { get; }

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override int BatchSize => Applied.Count;

    /// <inheritdoc />
    public override string ToString() => $"applied {Applied} sigma {Sigmas}";
}
