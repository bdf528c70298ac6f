using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// Reference for the tests: the whole BarlowTwins loss written out directly from the primitives of
/// <see cref="BarlowTwinsLoss"/> (the library computes it once, as Presets.BarlowTwins compiled); checked against PyTorch's values.
/// </summary>
public static class BarlowTwinsReference
{
    /// <summary>ℓ for two views' embeddings [N, D]; <paramref name="scale"/> = 1 is the official loss, 0.025 the solo-learn one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ negative, scale not positive, or ε negative.</exception>
    public static Tensor Compute(Tensor viewA, Tensor viewB, double lambda = 5e-3, double scale = 1, double eps = 1e-5)
    {
        if (!double.IsFinite(lambda) || lambda < 0) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "BarlowTwinsReference: λ must be finite and ≥ 0.");
        if (!double.IsFinite(scale) || scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "BarlowTwinsReference: scale must be finite and > 0.");
        return Torch.Scoped(() =>
        {
            var c = BarlowTwinsLoss.CrossCorrelation(BarlowTwinsLoss.Standardise(viewA, eps), BarlowTwinsLoss.Standardise(viewB, eps));
            return (BarlowTwinsLoss.OnDiagonalPenalty(c) + lambda * BarlowTwinsLoss.OffDiagonalPenalty(c)) * scale;
        });
    }
}
