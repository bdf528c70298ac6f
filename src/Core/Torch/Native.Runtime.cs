// P/Invoke declarations of rs_runtime.cpp (build facts, OpenBLAS threads) and rs_profiler.cpp (libtorch's profiler).
using System.Runtime.InteropServices;

namespace ReLICv2;

internal static partial class Native
{
    [LibraryImport(Lib)] internal static partial IntPtr rs_build_arch();
    [LibraryImport(Lib)] internal static partial IntPtr rs_kernel_isa();
    [LibraryImport(Lib)] internal static partial int rs_blas_get_num_threads(out int @out);
    [LibraryImport(Lib)] internal static partial int rs_blas_set_num_threads(int n, out int applied);
    [LibraryImport(Lib)] internal static partial int rs_profiler_start();
    [LibraryImport(Lib)] internal static partial int rs_profiler_stop(out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_profiler_range_push(string name);
    [LibraryImport(Lib)] internal static partial int rs_profiler_range_pop();
}
