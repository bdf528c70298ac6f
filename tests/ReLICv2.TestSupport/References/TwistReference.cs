using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// Reference for the tests: the whole Twist loss written out directly from the primitives of
/// <see cref="TwistLoss"/> (the library computes it once, as Presets.Twist compiled); checked against PyTorch's values.
/// </summary>
public static class TwistReference
{
    /// <summary>ℓ for class logits [N, K] of two views.</summary>
    /// <exception cref="ArgumentOutOfRangeException">τ is not positive and finite.</exception>
    public static Tensor Compute(Tensor logitsA, Tensor logitsB, double temperature = 1)
    {
        ArgumentNullException.ThrowIfNull(logitsA);
        ArgumentNullException.ThrowIfNull(logitsB);
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "TwistReference: temperature τ must be positive and finite.");
        return Torch.Scoped(() =>
        {
            var la = (logitsA / temperature).LogSoftmax(1);
            var lb = (logitsB / temperature).LogSoftmax(1);
            var kl = 0.5 * (KlDivergence.Compute(la, lb) + KlDivergence.Compute(lb, la));
            var eh = 0.5 * (TwistLoss.MeanEntropy(la) + TwistLoss.MeanEntropy(lb));
            var he = 0.5 * (TwistLoss.EntropyOfMean(la) + TwistLoss.EntropyOfMean(lb));
            return kl + eh - he;
        });
    }
}
