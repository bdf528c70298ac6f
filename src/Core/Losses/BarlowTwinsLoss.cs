namespace ReLICv2.Losses;

/// <summary>
/// Barlow Twins (Zbontar et al. 2021, eq. 1; official facebookresearch/barlowtwins and lightly's BarlowTwinsLoss):
/// <code>
///   ẑ = (z − mean_batch z) / sqrt(Var_batch z + ε)           (per dimension, biased variance, ε = 1e-5: BatchNorm1d(affine=False))
///   C = ẑ_aᵀ ẑ_b / N                                           (D × D cross-correlation)
///   ℓ = Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²,   λ = 5e-3
/// </code>
/// The scaled variant (solo-learn barlow_loss_func) multiplies ℓ by scale = 0.025. Symmetric in the two views; no stop-gradient.
/// The whole loss is Presets.BarlowTwins, composed from these primitives by the objective compiler (docs/method.md §5).
/// </summary>
public static class BarlowTwinsLoss
{
    /// <summary>Per-dimension batch standardisation (z − mean) / sqrt(biased Var + ε), as BatchNorm1d(affine=False) in training mode.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε is negative.</exception>
    public static Tensor Standardise(Tensor z, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Standardise: ε must be finite and ≥ 0.");
        return Torch.Scoped(() =>
        {
            var centred = z - z.Mean(0, keepDim: true);
            return centred / (z.Var(0, unbiased: false, keepDim: true) + eps).Sqrt();
        });
    }

    /// <summary>C = aᵀ b / N for a, b of shape [N, D] (D × D).</summary>
    public static Tensor CrossCorrelation(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Torch.Scoped(() => a.T().Matmul(b) / a.Size(0));
    }

    /// <summary>Σ_i (1 − C_ii)² of a square matrix.</summary>
    public static Tensor OnDiagonalPenalty(Tensor c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Torch.Scoped(() => (1.0 - c.Diagonal()).Square().Sum());
    }

    /// <summary>Σ_{i≠j} C_ij² of a square matrix.</summary>
    public static Tensor OffDiagonalPenalty(Tensor c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Torch.Scoped(() => c.Square().Sum() - c.Diagonal().Square().Sum());
    }
}
