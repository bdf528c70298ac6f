namespace ReLICv2.Distributed;

/// <summary>
/// A collective started asynchronously (<see cref="ProcessGroup.AllReduceAsync"/>, <see cref="ProcessGroup.BroadcastAsync"/>):
/// the tensors it writes must not be read or freed until <see cref="Wait"/> returns. A failure or a time-out surfaces from
/// <see cref="Wait"/> as a <see cref="TorchException"/> naming the rank and the collective.
/// </summary>
public sealed class CollectiveWork : IDisposable
{
    private readonly NativeObject work;
    private readonly IReadOnlyList<Tensor> tensors;

    internal CollectiveWork(IntPtr pointer, IReadOnlyList<Tensor> tensors)
    {
        work = new NativeObject(pointer, Native.rs_work_free);
        this.tensors = tensors;
    }

    /// <summary>True once the collective has finished (successfully or not).</summary>
    public bool IsCompleted
    {
        get
        {
            TorchException.Check(Native.rs_work_is_completed(work.Get(nameof(CollectiveWork)), out var done));
            return done != 0;
        }
    }

    /// <summary>Blocks until the collective has finished; throws its failure.</summary>
    public void Wait()
    {
        TorchException.Check(Native.rs_work_wait(work.Get(nameof(CollectiveWork))));
        GC.KeepAlive(tensors);
    }

    public void Dispose() => work.Dispose();
}
