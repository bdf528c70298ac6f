namespace ReLICv2.Data;

/// <summary>
/// A mini-batch as the loader hands it over: <see cref="Images"/> uint8 [N,C,H,W], <see cref="Labels"/> int64 [N]
/// (-1 for unlabelled images), optional <see cref="Masks"/> float32 [N,1,H,W] in [0,1] (1 = foreground), and the
/// dataset <see cref="Indices"/> of the N images. The batch owns its tensors: dispose it when done (also disposing the
/// tensors through an enclosing scope is harmless).
/// </summary>
public sealed record Batch(Tensor Images, Tensor Labels, Tensor? Masks, IReadOnlyList<int> Indices) : IDisposable
{
    /// <summary>Number of images N.</summary>
    public int Count => Indices.Count;

    /// <summary>Disposes the three tensors. Idempotent.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Masks?.Dispose();
    }

    public override string ToString() =>
        $"Batch of {Count}: images {Tensor.FormatShape(Images.IsDisposed ? [] : Images.Shape)}{(Masks is null ? "" : ", with masks")}";
}
