namespace ReLICv2.Losses;

/// <summary>
/// ReSSL's relational loss (Zheng et al. 2021, eq. 5; official KyleZheng1997/ReSSL and solo-learn ressl_loss_func):
/// the target (weak view) relation over a set of anchors a_1..a_M, sharpened with τ_t, is matched by the online
/// (strong view) relation with τ_s:
/// <code>
///   p_t,i = softmax_j(⟨t̂_i, â_j⟩/τ_t) (detached),   p_s,i = softmax_j(⟨ô_i, â_j⟩/τ_s)
///   ℓ = −mean_i Σ_j p_t,ij · log p_s,ij,   τ_t = 0.04, τ_s = 0.1
/// </code>
/// One direction only (not symmetrised). The anchors are a target queue in the official code; without a queue the
/// anchors are the other target embeddings of the batch (batch relations: a_j = t̂_j for j ≠ i), which is what
/// the preset uses. Anchors are detached.
/// The whole loss is Presets.Ressl, composed from these primitives by the objective compiler (docs/method.md §5).
/// </summary>
public static class ResslLoss
{
    /// <summary>The [N, N − 1] matrix of a square [N, N] matrix with its diagonal removed (row i keeps j ≠ i in order).</summary>
    public static Tensor OffDiagonal(Tensor square)
    {
        ArgumentNullException.ThrowIfNull(square);
        return Torch.Scoped(() =>
        {
            var n = square.Size(0);
            var keep = Torch.Eye(n, null, DType.Bool, square.Device).LogicalNot();
            return square.MaskedSelect(keep).View(n, n - 1);
        });
    }
}
