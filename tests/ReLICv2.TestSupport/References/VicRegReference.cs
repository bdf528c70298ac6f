using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// Reference for the tests: the whole VicReg loss written out directly from the primitives of
/// <see cref="VicRegLoss"/> (the library computes it once, as Presets.VicReg compiled); checked against PyTorch's values.
/// </summary>
public static class VicRegReference
{
    /// <summary>ℓ for two views' embeddings [N, D] (N ≥ 2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite.</exception>
    public static Tensor Compute(Tensor viewA, Tensor viewB, double invariance = 25, double variance = 25, double covariance = 1, double eps = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(viewA);
        ArgumentNullException.ThrowIfNull(viewB);
        if (!double.IsFinite(invariance) || invariance < 0) throw new ArgumentOutOfRangeException(nameof(invariance), invariance, "VicRegReference: invariance weight λ must be finite and ≥ 0.");
        if (!double.IsFinite(variance) || variance < 0) throw new ArgumentOutOfRangeException(nameof(variance), variance, "VicRegReference: variance weight μ must be finite and ≥ 0.");
        if (!double.IsFinite(covariance) || covariance < 0) throw new ArgumentOutOfRangeException(nameof(covariance), covariance, "VicRegReference: covariance weight ν must be finite and ≥ 0.");
        return Torch.Scoped(() =>
            invariance * Torch.MseLoss(viewA, viewB)
            + variance * 0.5 * (VicRegLoss.VariancePenalty(viewA, eps) + VicRegLoss.VariancePenalty(viewB, eps))
            + covariance * (VicRegLoss.CovariancePenalty(viewA) + VicRegLoss.CovariancePenalty(viewB)));
    }
}
