using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// SimCLR's NT-Xent (Chen et al. 2020, eq. 1), as lightly's NTXentLoss and solo-learn's simclr_loss_func for two views:
/// with z = [ẑ_a; ẑ_b] ∈ R^{2N×D} and s_ij = ⟨z_i, z_j⟩/τ,
/// <code>  ℓ = −(1/2N) Σ_i log( exp(s_{i,p(i)}) / Σ_{j≠i} exp(s_ij) ),   p(i) = i ± N (the other view of the same image)</code>
/// a 2N-way softmax per anchor with the anchor itself excluded; mean over the 2N anchors. Default τ = 0.5 (lightly; solo-learn uses 0.1–0.2).
/// A collapsed batch gives exactly log(2N − 1).
/// </summary>
public static class NtXentLoss
{
    /// <summary>NT-Xent of two views' embeddings [N, D] (no stop-gradient: both views receive gradients).</summary>
    /// <exception cref="ArgumentOutOfRangeException">τ is not positive and finite.</exception>
    public static Tensor Compute(Tensor viewA, Tensor viewB, double temperature = 0.5)
    {
        ArgumentNullException.ThrowIfNull(viewA);
        ArgumentNullException.ThrowIfNull(viewB);
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "NtXentLoss: temperature τ must be positive and finite.");
        return Torch.Scoped(() =>
        {
            var n = viewA.Size(0);
            var z = Torch.Normalize(Torch.Cat([viewA, viewB], 0));
            var eye = Torch.Eye(2 * n, null, DType.Bool, viewA.Device);
            var logits = (z.Matmul(z.T()) / temperature).MaskedFill(eye, double.NegativeInfinity);
            var positives = Torch.Cat([Torch.Arange(n, 2 * n, 1, DType.Int64, viewA.Device), Torch.Arange(0, n, 1, DType.Int64, viewA.Device)], 0);
            return Torch.CrossEntropy(logits, positives);
        });
    }
}
