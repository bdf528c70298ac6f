namespace ReLICv2;

/// <summary>A named range opened by <see cref="Profiler.Range"/>; disposing it closes the range (the default value is a no-op).</summary>
public readonly struct ProfilerRange : IDisposable
{
    private readonly bool open;

    internal ProfilerRange(bool open) => this.open = open;

    /// <summary>Closes the range.</summary>
    public void Dispose()
    {
        if (open) TorchException.Check(Native.rs_profiler_range_pop());
    }
}
