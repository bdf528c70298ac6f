using ReLICv2.Data;

namespace ReLICv2.Vision;

/// <summary>
/// The shared front of the built-in unsupervised saliency estimators: <see cref="ISaliencySource"/> for single images
/// and batches, input checks, and the conversion to float [0, 1] under no-grad inside one tensor scope. A subclass
/// supplies <see cref="EstimateUnit"/>.
/// </summary>
public abstract class SaliencyEstimator : ISaliencySource
{
    public Tensor Mask(int index, Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 3) throw new ArgumentException($"Mask: expected an image [C,H,W], got {Tensor.FormatShape(image.Shape)}", nameof(image));
        return Torch.Scoped(() => Estimate(image.Unsqueeze(0)).Squeeze(0));
    }

    public Tensor Masks(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Estimate(batch.Images);
    }

    /// <summary>Masks [N,1,H,W] for images [N,C,H,W] (C = 1 or 3; uint8 0…255 or floating point in [0,1]).</summary>
    public Tensor Estimate(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Size(1) is not (1 or 3))
            throw new ArgumentException($"Estimate: expected images [N,C,H,W] with C = 1 or 3, got {Tensor.FormatShape(images.Shape)}", nameof(images));
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = images.DType == DType.UInt8 ? images.To(DType.Float32) / 255.0 : images.Detach().To(DType.Float32).Clamp(0, 1);
        return scope.MoveOut(EstimateUnit(x));
    }

    /// <summary>
    /// Masks [N,1,H,W] in [0,1] of float images [N,C,H,W] in [0,1]; runs under no-grad inside a scope that frees every
    /// intermediate (the result is moved out by the caller).
    /// </summary>
    protected abstract Tensor EstimateUnit(Tensor images);
}
