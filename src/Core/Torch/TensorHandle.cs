using System.Runtime.InteropServices;

namespace ReLICv2;

/// <summary>An owned <c>at::Tensor*</c> from the native shim; releasing it drops one reference.</summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>The handle passed for an absent optional tensor argument (a null pointer).</summary>
    internal static readonly TensorHandle Null = new();

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.rs_tensor_free(handle);
        return true;
    }
}

/// <summary>An owned <c>at::Generator*</c>.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.rs_generator_free(handle);
        return true;
    }
}
