using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// Reference for the tests: the whole Ressl loss written out directly from the primitives of
/// <see cref="ResslLoss"/> (the library computes it once, as Presets.Ressl compiled); checked against PyTorch's values.
/// </summary>
public static class ResslReference
{
    /// <summary>ℓ for online [N, D], target [N, D] and optional anchors [M, D] (null: batch relations excluding the anchor itself).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A temperature is not positive and finite.</exception>
    public static Tensor Compute(Tensor online, Tensor target, Tensor? anchors = null, double targetTemperature = 0.04, double onlineTemperature = 0.1)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(target);
        if (!(targetTemperature > 0) || double.IsInfinity(targetTemperature))
            throw new ArgumentOutOfRangeException(nameof(targetTemperature), targetTemperature, "ResslReference: τ_t must be positive and finite.");
        if (!(onlineTemperature > 0) || double.IsInfinity(onlineTemperature))
            throw new ArgumentOutOfRangeException(nameof(onlineTemperature), onlineTemperature, "ResslReference: τ_s must be positive and finite.");
        return Torch.Scoped(() =>
        {
            var o = Torch.Normalize(online);
            var t = Torch.Normalize(target.Detach());
            var a = anchors is null ? t : Torch.Normalize(anchors.Detach());
            var simT = t.Matmul(a.T()) / targetTemperature;
            var simS = o.Matmul(a.T()) / onlineTemperature;
            if (anchors is null)
            {
                simT = ResslLoss.OffDiagonal(simT);
                simS = ResslLoss.OffDiagonal(simS);
            }
            return KlDivergence.CrossEntropy(simT.LogSoftmax(1).Detach(), simS.LogSoftmax(1));
        });
    }
}
