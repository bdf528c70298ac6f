using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// Reference for the tests: the whole Byol loss written out directly from the primitives of
/// <see cref="ByolLoss"/> (the library computes it once, as Presets.Byol compiled); checked against PyTorch's values.
/// </summary>
public static class ByolReference
{
    /// <summary>2 − 2·mean cos(online, sg[target]) for embeddings [N, D].</summary>
    public static Tensor Compute(Tensor online, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(target);
        return Torch.Scoped(() => 2.0 - 2.0 * ByolLoss.MeanCosine(online, target.Detach()));
    }
}
