namespace ReLICv2.Losses;

/// <summary>
/// BYOL's regression loss (Grill et al. 2020, eq. 2; deepmind-research byol/utils/helpers.py regression_loss):
/// <code>  ℓ = mean_i ‖p̂_i − sg[ẑ_i]‖² = mean_i (2 − 2·cos(p_i, z_i))</code>
/// for the online prediction p and the target projection z (detached), mean over the batch. BYOL symmetrises by
/// adding the loss with the views swapped (official code: the sum of both directions; solo-learn sums over crops).
/// The whole loss is Presets.Byol, composed from these primitives by the objective compiler (docs/method.md §5).
/// </summary>
public static class ByolLoss
{
    /// <summary>mean_i cos(a_i, b_i) = mean_i ⟨â_i, b̂_i⟩ (normalisation with eps 1e-12 as torch.nn.functional.normalize).</summary>
    public static Tensor MeanCosine(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Torch.Scoped(() => (Torch.Normalize(a) * Torch.Normalize(b)).Sum(1).Mean());
    }
}
