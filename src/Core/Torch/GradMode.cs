namespace ReLICv2;

/// <summary>
/// Sets this thread's autograd mode and restores the previous one when disposed:
/// <c>using var _ = Torch.NoGrad();</c> (F#: <c>use _ = Torch.NoGrad()</c>). Dispose it on the thread that made it.
/// </summary>
public sealed class GradMode : IDisposable
{
    private readonly bool previous;
    private readonly int thread = Environment.CurrentManagedThreadId;
    private bool disposed;

    internal GradMode(bool enabled)
    {
        previous = Torch.IsGradEnabled;
        TorchException.Check(Native.rs_set_grad_enabled(enabled ? 1 : 0));
    }

    public void Dispose()
    {
        if (disposed) return;
        if (thread != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException("GradMode must be disposed on the thread that created it (autograd mode is per thread)");
        disposed = true;
        TorchException.Check(Native.rs_set_grad_enabled(previous ? 1 : 0));
    }
}
