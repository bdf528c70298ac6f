namespace ReLICv2;

/// <summary>Values with their indices, from <c>Max(dim)</c>, <c>Min(dim)</c>, <c>TopK</c> and <c>Sort</c>. Disposing disposes both.</summary>
public sealed record ValuesIndices(Tensor Values, Tensor Indices) : IDisposable
{
    public void Dispose()
    {
        Values.Dispose();
        Indices.Dispose();
    }
}
