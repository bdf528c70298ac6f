using System.Text.Json.Serialization;

namespace ReLICv2.Augmentation;

/// <summary>
/// One step of an augmentation chain (paper Table 16 / docs/method.md §4) as an immutable value: it validates its fields
/// at construction, prints readably, compares by value and round-trips through JSON (discriminator <c>kind</c>).
/// A step is two things: a pure sampler of per-image parameters (<see cref="StepParams"/>) and a deterministic
/// batched kernel from Core.Vision that applies them.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ResizedCrop), "resizedCrop")]
[JsonDerivedType(typeof(HorizontalFlip), "horizontalFlip")]
[JsonDerivedType(typeof(ColorJitter), "colorJitter")]
[JsonDerivedType(typeof(Grayscale), "grayscale")]
[JsonDerivedType(typeof(GaussianBlur), "gaussianBlur")]
[JsonDerivedType(typeof(Solarize), "solarize")]
[JsonDerivedType(typeof(SaliencyMask), "saliencyMask")]
public abstract record AugmentationStep
{
    private protected AugmentationStep() { }

    /// <summary>True for steps that move pixels (crop, flip); these are applied to saliency masks too.</summary>
    [JsonIgnore]
    public bool IsGeometric => this is ResizedCrop or HorizontalFlip;

    /// <summary>Draws this step's parameters for <paramref name="batchSize"/> images of the given current size.</summary>
    internal abstract StepParams Sample(AugmentationRandom random, int batchSize, int height, int width);

    /// <summary>The image height after this step, given the height before it.</summary>
    internal virtual int OutputHeight(int height) => height;

    /// <summary>The image width after this step, given the width before it.</summary>
    internal virtual int OutputWidth(int width) => width;

    /// <summary>Runs the kernel on the current images (and masks, for geometric steps).</summary>
    internal abstract void Apply(ViewState state, StepParams parameters);

    private protected T Expect<T>(StepParams parameters) where T : StepParams =>
        parameters as T ?? throw new ArgumentException($"{GetType().Name}: expected {typeof(T).Name} parameters, got {parameters.GetType().Name}", nameof(parameters));
}
