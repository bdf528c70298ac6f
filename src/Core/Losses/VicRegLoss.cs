namespace ReLICv2.Losses;

/// <summary>
/// VICReg (Bardes et al. 2022; the official facebookresearch/vicreg main_vicreg.py and lightly's VICRegLoss):
/// <code>
///   sim = MSE(z_a, z_b)                                             (mean over all N·D elements)
///   var(z) = mean_d relu(1 − sqrt(Var_d(z) + ε)),    ε = 1e-4, unbiased variance
///   cov(z) = Σ_{i≠j} Cov(z)_ij² / D,   Cov(z) = (z − z̄)ᵀ(z − z̄)/(N − 1)
///   ℓ = λ·sim + μ·½(var(z_a) + var(z_b)) + ν·(cov(z_a) + cov(z_b)),   λ = μ = 25, ν = 1
/// </code>
/// (the ½ on the variance term follows the official code; solo-learn omits it). Symmetric; no stop-gradient.
/// The whole loss is Presets.VicReg, composed from these primitives by the objective compiler (docs/method.md §5).
/// </summary>
public static class VicRegLoss
{
    /// <summary>mean_d relu(1 − sqrt(Var_d(z) + ε)) with the unbiased per-dimension batch variance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε is negative.</exception>
    public static Tensor VariancePenalty(Tensor z, double eps = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "VariancePenalty: ε must be finite and ≥ 0.");
        return Torch.Scoped(() => (1.0 - (z.Var(0, unbiased: true) + eps).Sqrt()).Relu().Mean());
    }

    /// <summary>Σ_{i≠j} Cov(z)_ij² / D with Cov(z) = (z − z̄)ᵀ(z − z̄)/(N − 1).</summary>
    public static Tensor CovariancePenalty(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        return Torch.Scoped(() =>
        {
            var centred = z - z.Mean(0, keepDim: true);
            var cov = centred.T().Matmul(centred) / (z.Size(0) - 1);
            return BarlowTwinsLoss.OffDiagonalPenalty(cov) / z.Size(1);
        });
    }
}
