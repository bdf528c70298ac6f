namespace ReLICv2.Views;

/// <summary>
/// The views of one batch: L large views and S small views, each [N, C, size, size] in [0, 1]. All large views share
/// one size and all small views another, so each group can be forwarded through a network together
/// (<see cref="LargeStacked"/>, <see cref="SmallStacked"/>). Owns its tensors.
/// </summary>
public sealed class ViewBatch : IDisposable
{
    internal ViewBatch(IReadOnlyList<Tensor> large, IReadOnlyList<Tensor> small)
    {
        Large = large;
        Small = small;
    }

    /// <summary>Large view i for every image (paper: the 4 × 224 views).</summary>
    public IReadOnlyList<Tensor> Large { get; }

    /// <summary>Small view j for every image (paper: the 2 × 96 views).</summary>
    public IReadOnlyList<Tensor> Small { get; }

    /// <summary>Large views then small views.</summary>
    public IReadOnlyList<Tensor> All => Large.Concat(Small).ToArray();

    /// <summary>The large views as one batch [L·N, C, h, w], view-major (view 1's images first); a new tensor the caller owns.</summary>
    public Tensor LargeStacked() => Torch.Cat(Large.ToArray());

    /// <summary>The small views as one batch [S·N, C, h, w], view-major; a new tensor the caller owns; fails when there are none.</summary>
    public Tensor SmallStacked() => Small.Count > 0 ? Torch.Cat(Small.ToArray()) : throw new InvalidOperationException("ViewBatch: this view set has no small views");

    /// <summary>Disposes every view tensor.</summary>
    public void Dispose()
    {
        foreach (var t in Large.Concat(Small)) t.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ViewBatch({Large.Count} large [{string.Join(", ", Large.FirstOrDefault()?.Shape ?? [])}], {Small.Count} small [{string.Join(", ", Small.FirstOrDefault()?.Shape ?? [])}])";
}
