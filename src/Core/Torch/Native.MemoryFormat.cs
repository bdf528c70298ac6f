// P/Invoke declarations for src/Core/Native/rs_memory_format.cpp.
using System.Runtime.InteropServices;

namespace ReLICv2;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)] internal static partial int rs_contiguous_format(TensorHandle a, int format, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_is_contiguous_format(TensorHandle a, int format, out int @out);
}
