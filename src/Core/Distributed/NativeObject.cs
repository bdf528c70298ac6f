using System.Runtime.InteropServices;

namespace ReLICv2.Distributed;

/// <summary>An owned pointer to one of the shim's c10d objects (store, process group, work, reducer), freed once.</summary>
internal sealed class NativeObject : SafeHandle
{
    private readonly Action<IntPtr> free;

    public NativeObject(IntPtr pointer, Action<IntPtr> free) : base(IntPtr.Zero, ownsHandle: true)
    {
        this.free = free;
        SetHandle(pointer);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The pointer, or ObjectDisposedException naming <paramref name="what"/> once freed.</summary>
    public IntPtr Get(string what) => IsClosed ? throw new ObjectDisposedException(what) : handle;

    protected override bool ReleaseHandle()
    {
        free(handle);
        return true;
    }
}
