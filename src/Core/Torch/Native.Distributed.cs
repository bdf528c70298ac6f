// P/Invoke surface of src/Core/Native/rs_distributed.cpp (c10d: TCP store, process groups, collectives, reducer).
using System.Runtime.InteropServices;

namespace ReLICv2;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)] internal static partial int rs_dist_backends(out int gloo, out int nccl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_store_tcp(string host, int port, int worldSize, int isServer, long timeoutMs, out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_store_prefix(string name, IntPtr store, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial void rs_store_free(IntPtr store);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_store_set(IntPtr store, string key, byte* data, long n);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_store_get(IntPtr store, string key, byte* buffer, long capacity, out long length);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_store_add(IntPtr store, string key, long value, out long @out);
    [LibraryImport(Lib)] internal static partial int rs_store_set_timeout(IntPtr store, long timeoutMs);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int rs_pg_gloo(IntPtr store, int rank, int size, string? hostname, string? iface, long timeoutMs, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int rs_pg_nccl(IntPtr store, int rank, int size, long timeoutMs, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial void rs_pg_free(IntPtr group);
    [LibraryImport(Lib)] internal static partial int rs_pg_allreduce(IntPtr group, IntPtr* tensors, int n, int op, out IntPtr work);
    [LibraryImport(Lib)] internal static partial int rs_pg_broadcast(IntPtr group, IntPtr* tensors, int n, int root, out IntPtr work);
    [LibraryImport(Lib)] internal static partial int rs_pg_allgather(IntPtr group, TensorHandle input, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_pg_barrier(IntPtr group);
    [LibraryImport(Lib)] internal static partial int rs_pg_all_reduce_sum_autograd(IntPtr group, TensorHandle x, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_work_wait(IntPtr work);
    [LibraryImport(Lib)] internal static partial int rs_work_is_completed(IntPtr work, out int @out);
    [LibraryImport(Lib)] internal static partial void rs_work_free(IntPtr work);
    [LibraryImport(Lib)] internal static partial int rs_reducer_new(IntPtr group, IntPtr* parameters, int n, long firstBucketBytes, long bucketBytes, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int rs_reducer_bucket_count(IntPtr reducer, out int @out);
    [LibraryImport(Lib)] internal static partial int rs_reducer_bucket(IntPtr reducer, int bucket, int* @out, int capacity, out int count);
    [LibraryImport(Lib)] internal static partial int rs_reducer_prepare(IntPtr reducer);
    [LibraryImport(Lib)] internal static partial int rs_reducer_finalize(IntPtr reducer, out double waitSeconds, out long bytes, out int launchedInBackward);
    [LibraryImport(Lib)] internal static partial void rs_reducer_free(IntPtr reducer);
}
