namespace ReLICv2.Training;

/// <summary>Frozen-encoder features [N, D] (float32, on the CPU) with their labels [N] (Int64). Disposing frees both.</summary>
public sealed record FeatureSet(Tensor Features, Tensor Labels) : IDisposable
{
    public long Count => Features.Size(0);

    public long Dimension => Features.Size(1);

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
