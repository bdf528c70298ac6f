namespace ReLICv2;

/// <summary>A failure reported by libtorch, carrying its message (without the C++ backtrace).</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message)
    {
    }

    public TorchException(string message, Exception inner) : base(message, inner)
    {
    }

    internal static void Check(int status)
    {
        if (status != 0) throw FromNative();
    }

    internal static TorchException FromNative()
    {
        var text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(Native.rs_last_error());
        return new TorchException(string.IsNullOrEmpty(text) ? "libtorch reported a failure without a message" : text.Trim());
    }
}
