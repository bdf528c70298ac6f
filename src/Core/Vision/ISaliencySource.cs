using ReLICv2.Data;

namespace ReLICv2.Vision;

/// <summary>
/// Where the foreground masks of ReLICv2's saliency masking come from (docs/method.md §1.3: precomputed files, masks
/// shipped with a dataset, or a built-in unsupervised estimator). A mask is float32 in [0,1], 1 = foreground, at the
/// image's resolution; the compositing kernel keeps the foreground and greys out the rest.
/// </summary>
public interface ISaliencySource
{
    /// <summary>
    /// The mask [1,H,W] of dataset image <paramref name="index"/> whose pixels are <paramref name="image"/>
    /// ([C,H,W], uint8 0…255 or floating point in [0,1]). Sources that look masks up use the index, estimators the pixels.
    /// </summary>
    Tensor Mask(int index, Tensor image);

    /// <summary>The masks [N,1,H,W] of the images of <paramref name="batch"/> (one batched call where the source allows).</summary>
    Tensor Masks(Batch batch);
}
