using System.Text.Json.Serialization;

namespace ReLICv2.Augmentation;

/// <summary>
/// The sampled parameters of one augmentation step for a batch: plain, immutable, printable, comparable data (one
/// entry per image), produced by <see cref="AugmentationChain.Sample(int, int, int, ulong)"/> and consumed by the Core.Vision kernels.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ResizedCropParams), "resizedCrop")]
[JsonDerivedType(typeof(FlagParams), "flags")]
[JsonDerivedType(typeof(ColorJitterParams), "colorJitter")]
[JsonDerivedType(typeof(GaussianBlurParams), "gaussianBlur")]
[JsonDerivedType(typeof(SaliencyMaskParams), "saliencyMask")]
public abstract record StepParams
{
    private protected StepParams() { }

    /// <summary>The number of images these parameters describe.</summary>
    [JsonIgnore]
    public abstract int BatchSize { get; }
}
