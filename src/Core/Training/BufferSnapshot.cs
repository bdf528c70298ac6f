namespace ReLICv2.Training;

/// <summary>
/// Copies of the buffers (batch-norm running statistics and counters) of some modules, taken before a training step's
/// forward passes update them in place, so that a refused step can put them back: a step that ends in an exception
/// changes no parameter (the optimiser has not run) and, once <see cref="Restore"/> has run, no buffer either.
/// Buffers are small (a few values per channel), so the copies cost little next to the step.
/// </summary>
internal sealed class BufferSnapshot : IDisposable
{
    private readonly List<(Tensor Live, Tensor Copy)> saved = [];

    /// <summary>Copies every buffer of <paramref name="modules"/> (null entries are skipped).</summary>
    public BufferSnapshot(params Nn.Module?[] modules)
    {
        using var noGrad = Torch.NoGrad();
        try
        {
            foreach (var module in modules)
                foreach (var buffer in module?.NamedBuffers() ?? [])
                    saved.Add((buffer.Tensor, buffer.Tensor.Clone().DetachFromScope()));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Writes the copies back into the live buffers (same tensors, so every reference to them sees the old values).</summary>
    public void Restore()
    {
        using var noGrad = Torch.NoGrad();
        foreach (var (live, copy) in saved) live.Copy_(copy);
    }

    public void Dispose()
    {
        foreach (var (_, copy) in saved) copy.Dispose();
        saved.Clear();
    }
}
