namespace ReLICv2.Training;

/// <summary>
/// The views of one batch: L large view batches (all of one size) and S small view batches (all of one size), each
/// [N, C, H, W] float. Large views go through both networks, small views through the online network only (docs/method.md §1, §3).
/// Disposing disposes every view.
/// </summary>
public sealed record PretrainingViews(IReadOnlyList<Tensor> Large, IReadOnlyList<Tensor> Small) : IDisposable
{
    public IReadOnlyList<Tensor> Large { get; } = Large.Count > 0 ? Large
        : throw new ArgumentException("PretrainingViews.Large: at least one large view is needed (the target branch sees large views only)", nameof(Large));

    public void Dispose()
    {
        foreach (var v in Large.Concat(Small)) v.Dispose();
    }
}
