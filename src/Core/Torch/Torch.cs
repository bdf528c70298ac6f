using System.Reflection;
using System.Runtime.InteropServices;

namespace ReLICv2;

/// <summary>
/// The tensor engine's facade: factories, random numbers from explicit generators, scopes, autograd mode,
/// functional neural-network operations, and facts about the installed libtorch. From F#: <c>open type ReLICv2.Torch</c>.
/// </summary>
public static partial class Torch
{
    /// <summary>
    /// Uses every core by default: libtorch's OpenMP pool can start with one thread in containers, so unless
    /// OMP_NUM_THREADS says otherwise the pool is sized to <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    /// <remarks>
    /// Installs the caching CPU allocator (see <see cref="CpuCache"/>) with the capacity RELIC_CPU_CACHE_MB gives
    /// (default <see cref="DefaultCpuCacheBytes"/>; 0 keeps no idle block). BLAS threads follow the intra-op threads.
    /// </remarks>
    static Torch()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")) && NumThreads < Environment.ProcessorCount)
            TorchException.Check(Native.rs_set_num_threads(Environment.ProcessorCount));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS")))
            TorchException.Check(Native.rs_blas_set_num_threads(NumThreads, out _));
        var bytes = DefaultCpuCacheBytes;
        var text = Environment.GetEnvironmentVariable("RELIC_CPU_CACHE_MB");
        if (!string.IsNullOrWhiteSpace(text))
        {
            if (long.TryParse(text, out var parsed) && parsed >= 0 && parsed <= 1L << 30) bytes = parsed << 20;
            else Console.Error.WriteLine($"warning: RELIC_CPU_CACHE_MB = '{text}' is not a whole number of megabytes in [0, 2^30]; using {DefaultCpuCacheBytes >> 20}");
        }
        if (bytes > 0) TorchException.Check(Native.rs_cpu_cache_configure(bytes, CpuCacheMinBlockBytes));
    }

    // ---- memory ----------------------------------------------------------------------------------

    /// <summary>The most idle memory the CPU cache keeps by default, on a machine with plenty of memory.</summary>
    public const long MaxDefaultCpuCacheMegabytes = 4096;

    /// <summary>The share of the machine's memory (MemTotal) the CPU cache keeps idle at most by default.</summary>
    public const double DefaultCpuCacheMemoryShare = 0.25;

    /// <summary>
    /// Idle memory the CPU cache may keep unless RELIC_CPU_CACHE_MB says otherwise: min(<see cref="MaxDefaultCpuCacheMegabytes"/>,
    /// <see cref="DefaultCpuCacheMemoryShare"/> of this machine's memory), so that a small machine or container is not
    /// pushed to swap by memory nobody uses.
    /// </summary>
    public static long DefaultCpuCacheBytes => DefaultCpuCacheCapacity(ProcessMemory.TotalBytes);

    /// <summary>The default capacity on a machine of <paramref name="totalBytes"/> (null: unknown, the plain maximum).</summary>
    internal static long DefaultCpuCacheCapacity(long? totalBytes) =>
        totalBytes is > 0 and var total
            ? Math.Min(MaxDefaultCpuCacheMegabytes << 20, (long)(total * DefaultCpuCacheMemoryShare))
            : MaxDefaultCpuCacheMegabytes << 20;

    /// <summary>Blocks smaller than this are left to the C library's allocator, which recycles them well.</summary>
    public const long CpuCacheMinBlockBytes = 1L << 20;

    /// <summary>
    /// The caching CPU allocator's counters. libtorch's CPU tensors are allocated through the shim's cache: a freed block
    /// of at least <see cref="CpuCacheMinBlockBytes"/> is kept, by exact size, for the next request of that size, so a
    /// training step reuses the previous step's memory instead of mapping, page-faulting and zero-filling it again.
    /// Hits and misses count requests of cacheable size; idle bytes are kept but unused, up to the capacity.
    /// </summary>
    public static CpuCacheStats CpuCache
    {
        get
        {
            TorchException.Check(Native.rs_cpu_cache_stats(out var hits, out var misses, out var idle, out var capacity));
            return new CpuCacheStats(hits, misses, idle, capacity);
        }
    }

    /// <summary>Frees the idle blocks of the CPU cache (between phases whose tensor sizes differ).</summary>
    public static void EmptyCpuCache() => TorchException.Check(Native.rs_cpu_cache_empty());

    /// <summary>Sets how many idle bytes the CPU cache may keep; 0 frees every block as it is released.</summary>
    public static void SetCpuCacheCapacity(long bytes)
    {
        if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "SetCpuCacheCapacity: bytes must be >= 0");
        TorchException.Check(Native.rs_cpu_cache_configure(bytes, CpuCacheMinBlockBytes));
    }

    // ---- engine facts ----------------------------------------------------------------------------

    /// <summary>The version of ReLICv2.NET.</summary>
    public static string FrameworkVersion { get; } =
        typeof(Torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The version of the libtorch the shim was built against, e.g. "1.13.1".</summary>
    public static string Version => Marshal.PtrToStringUTF8(Native.rs_torch_version()) ?? "unknown";

    /// <summary>True when the installed libtorch has CUDA support and a device.</summary>
    public static bool CudaIsAvailable => Native.rs_cuda_is_available() != 0;

    public static int CudaDeviceCount
    {
        get
        {
            TorchException.Check(Native.rs_cuda_device_count(out var n));
            return n;
        }
    }

    /// <summary>True when libtorch was built with oneDNN (MKL-DNN) kernels.</summary>
    public static bool MkldnnIsAvailable
    {
        get
        {
            TorchException.Check(Native.rs_mkldnn_is_available(out var available));
            return available != 0;
        }
    }

    /// <summary>libtorch's own build and parallelism report (at::show_config, at::get_parallel_info).</summary>
    public static string BuildConfig
    {
        get
        {
            TorchException.Check(Native.rs_build_config(out var p));
            return Marshal.PtrToStringUTF8(p) ?? "";
        }
    }

    /// <summary>
    /// The instruction set the shim was compiled for: "x86-64-v2" (portable, the default), "native" (the build machine's
    /// CPU, <c>-p:RelicNativeArch=native</c>) or the processor name on other architectures (docs/benchmarks.md §8).
    /// </summary>
    public static string BuildArchitecture => Marshal.PtrToStringUTF8(Native.rs_build_arch()) ?? "unknown";

    /// <summary>The version of the shim's augmentation kernels this CPU runs: "avx2" or "default" in a portable build.</summary>
    public static string KernelInstructionSet => Marshal.PtrToStringUTF8(Native.rs_kernel_isa()) ?? "unknown";

    /// <summary>
    /// OpenBLAS' worker threads, the pool libtorch's matrix products run on beside its OpenMP pool; -1 when the BLAS is not
    /// OpenBLAS. <see cref="SetNumThreads"/> sets it to the intra-op count too (unless OPENBLAS_NUM_THREADS is set).
    /// </summary>
    public static int BlasThreads
    {
        get
        {
            TorchException.Check(Native.rs_blas_get_num_threads(out var n));
            return n;
        }
    }

    /// <summary>Sets OpenBLAS' worker threads (process-wide); false when the BLAS is not OpenBLAS (nothing changes).</summary>
    public static bool SetBlasThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "SetBlasThreads: threads must be >= 1");
        TorchException.Check(Native.rs_blas_set_num_threads(threads, out var applied));
        return applied != 0;
    }

    /// <summary>
    /// The OpenMP wait setting the process runs with: the user's OMP_WAIT_POLICY / GOMP_SPINCOUNT, or the short spin the
    /// loader sets before libtorch loads (docs/benchmarks.md §6).
    /// </summary>
    public static string OpenMpWait => ThreadingEnvironment.Description;

    /// <summary>Number of intra-op threads libtorch uses.</summary>
    public static int NumThreads
    {
        get
        {
            TorchException.Check(Native.rs_get_num_threads(out var n));
            return n;
        }
        set => SetNumThreads(value);
    }

    /// <summary>Sets libtorch's intra-op threads process-wide, and OpenBLAS' pool to the same count unless OPENBLAS_NUM_THREADS is set.</summary>
    public static void SetNumThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "SetNumThreads: threads must be >= 1");
        TorchException.Check(Native.rs_set_num_threads(threads));
        // OpenBLAS keeps a pool of its own, sized to every core; matching it keeps both pools within the threads asked for.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS")))
            TorchException.Check(Native.rs_blas_set_num_threads(threads, out _));
    }

    /// <summary>
    /// Sets the intra-op threads of the calling thread only (other threads keep theirs; threads started later still start
    /// from <see cref="NumThreads"/>' process-wide value). Data-parallel workers use it to run one shard each on one core.
    /// Returns false when libtorch was built without OpenMP, where no per-thread setting exists (nothing is changed then).
    /// </summary>
    public static bool SetThreadNumThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "SetThreadNumThreads: threads must be >= 1");
        TorchException.Check(Native.rs_set_thread_num_threads(threads, out var applied));
        return applied != 0;
    }

    /// <summary>Native tensor handles alive in this process (for leak tests).</summary>
    public static long LiveTensorCount => Native.rs_live_tensors();

    internal static void CheckDevice(Device device)
    {
        if (device.Type != DeviceType.Cuda) return;
        if (!CudaIsAvailable)
            throw new TorchException(
                $"Device {device} was requested, but the installed libtorch {Version} has no CUDA support (or no CUDA device is visible). " +
                "Use Device.Cpu, or build the shim against a CUDA libtorch (set LIBTORCH to its root, or install a CUDA PyTorch with pip) and rebuild.");
        var count = CudaDeviceCount;
        if (device.Index >= count)
            throw new TorchException($"Device {device} was requested, but only {count} CUDA device(s) are visible (indices 0..{count - 1}).");
    }

    // ---- scopes and autograd mode ----------------------------------------------------------------

    /// <summary>Opens a scope that disposes the tensors created inside it (see <see cref="TensorScope"/>).</summary>
    public static TensorScope NewScope() => new();

    /// <summary>Runs <paramref name="body"/> in a new scope and returns its result moved out of the scope; every other tensor created inside is disposed.</summary>
    public static Tensor Scoped(Func<Tensor> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = new TensorScope();
        var result = body();
        return ReferenceEquals(result.Scope, scope) ? scope.MoveOut(result) : result;
    }

    /// <summary>Runs <paramref name="body"/> in a new scope that disposes every tensor created inside; for bodies that return plain values.</summary>
    public static T ScopedValue<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = new TensorScope();
        return body();
    }

    /// <summary>Disables autograd on this thread until the returned value is disposed.</summary>
    public static GradMode NoGrad() => new(false);

    /// <summary>Enables autograd on this thread until the returned value is disposed.</summary>
    public static GradMode EnableGrad() => new(true);

    public static bool IsGradEnabled
    {
        get
        {
            TorchException.Check(Native.rs_is_grad_enabled(out var enabled));
            return enabled != 0;
        }
    }

    /// <summary>Gradients of Σ outputs·gradOutputs with respect to <paramref name="inputs"/>; null for an input that does not influence the outputs.</summary>
    /// <exception cref="ArgumentException">When <paramref name="gradOutputs"/> is given with another count than <paramref name="outputs"/>.</exception>
    public static unsafe Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor>? gradOutputs = null,
        bool retainGraph = false, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        // The shim reads one gradient output per output: a shorter list would be read past its end.
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Grad: gradOutputs has {gradOutputs.Count} tensors but there are {outputs.Count} outputs; give one per output or none", nameof(gradOutputs));
        using var o = new PinnedHandles(outputs);
        using var i = new PinnedHandles(inputs);
        using var g = new PinnedHandles(gradOutputs ?? []);
        var results = new IntPtr[inputs.Count];
        fixed (IntPtr* po = o.Pointers)
        fixed (IntPtr* pi = i.Pointers)
        fixed (IntPtr* pg = g.Pointers)
        fixed (IntPtr* pr = results)
        {
            TorchException.Check(Native.rs_autograd_grad(po, o.Pointers.Length, pi, i.Pointers.Length, gradOutputs is null ? null : pg,
                retainGraph ? 1 : 0, createGraph ? 1 : 0, pr));
        }
        return results.Select(p => p == IntPtr.Zero ? null : FromRaw(p)).ToArray();
    }

    internal static Tensor FromRaw(IntPtr raw)
    {
        var h = new TensorHandle();
        Marshal.InitHandle(h, raw);
        return new Tensor(h);
    }

    // ---- creation --------------------------------------------------------------------------------

    public static Tensor Zeros(params long[] shape) => Zeros(shape, DType.Float32);

    public static unsafe Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var d = Dev(device);
        fixed (long* p = shape) return Leaf(Tensor.Wrap(Native.rs_zeros(p, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r), requiresGrad);
    }

    public static Tensor Ones(params long[] shape) => Ones(shape, DType.Float32);

    public static unsafe Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var d = Dev(device);
        fixed (long* p = shape) return Leaf(Tensor.Wrap(Native.rs_ones(p, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r), requiresGrad);
    }

    public static unsafe Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var d = Dev(device);
        fixed (long* p = shape) return Leaf(Tensor.Wrap(Native.rs_full(p, shape.Length, value, (int)dtype, (int)d.Type, d.Index, out var r), r), requiresGrad);
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    public static unsafe Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = Dev(device);
        fixed (long* p = shape) return Tensor.Wrap(Native.rs_empty(p, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>Values start, start+step, … &lt; end (Int64 unless a dtype is given).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        if (step == 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Arange: step must be non-zero");
        var d = Dev(device);
        return Tensor.Wrap(Native.rs_arange(start, end, step, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor Arange(long end) => Arange(0, end);

    public static Tensor Linspace(double start, double end, long steps, DType dtype = DType.Float32, Device? device = null)
    {
        var d = Dev(device);
        return Tensor.Wrap(Native.rs_linspace(start, end, steps, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>The n × m identity (m = n when omitted).</summary>
    public static Tensor Eye(long n, long? m = null, DType dtype = DType.Float32, Device? device = null)
    {
        var d = Dev(device);
        return Tensor.Wrap(Native.rs_eye(n, m ?? n, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>Copies <paramref name="data"/> (row-major) into a new tensor of <paramref name="shape"/> (1-D of its length when omitted; <see cref="Scalar"/> makes rank 0).</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged => FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>Copies <paramref name="data"/> (row-major) into a new tensor of exactly <paramref name="shape"/> (empty: rank 0, one element).</summary>
    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, Device? device = null, bool requiresGrad = false) where T : unmanaged
    {
        var dtype = DTypes.Of<T>();
        Tensor t;
        fixed (T* p = data)
        fixed (long* s = shape)
            t = Tensor.Wrap(Native.rs_from_data(p, (long)data.Length * sizeof(T), s, shape.Length, (int)dtype, out var r), r);
        return OnDevice(t, device, requiresGrad);
    }

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static Tensor FromArray<T>(T[,] data) where T : unmanaged
    {
        var flat = new T[data.Length];
        var k = 0;
        foreach (var v in data) flat[k++] = v;
        return FromArray(flat, data.GetLength(0), data.GetLength(1));
    }

    private static Device Dev(Device? device)
    {
        var d = device ?? Device.Cpu;
        CheckDevice(d);
        return d;
    }

    private static Tensor Leaf(Tensor t, bool requiresGrad)
    {
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    // ---- random ----------------------------------------------------------------------------------

    /// <summary>U[0, 1) samples from <paramref name="generator"/>.</summary>
    public static Tensor Rand(Generator generator, params long[] shape) => Rand(shape, generator);

    public static unsafe Tensor Rand(long[] shape, Generator generator, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        fixed (long* p = shape) return OnDevice(Tensor.Wrap(Native.rs_rand(p, shape.Length, generator.Handle, (int)dtype, 0, 0, out var r), r), device, requiresGrad);
    }

    /// <summary>N(0, 1) samples from <paramref name="generator"/>.</summary>
    public static Tensor Randn(Generator generator, params long[] shape) => Randn(shape, generator);

    public static unsafe Tensor Randn(long[] shape, Generator generator, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        fixed (long* p = shape) return OnDevice(Tensor.Wrap(Native.rs_randn(p, shape.Length, generator.Handle, (int)dtype, 0, 0, out var r), r), device, requiresGrad);
    }

    /// <summary>Integers uniform in [low, high).</summary>
    public static unsafe Tensor RandInt(long low, long high, long[] shape, Generator generator, DType dtype = DType.Int64, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (high <= low) throw new ArgumentOutOfRangeException(nameof(high), high, $"RandInt: high must be > low ({low})");
        fixed (long* p = shape) return OnDevice(Tensor.Wrap(Native.rs_randint(low, high, p, shape.Length, generator.Handle, (int)dtype, 0, 0, out var r), r), device, false);
    }

    /// <summary>A uniformly random permutation of 0 … n−1.</summary>
    public static Tensor RandPerm(long n, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "RandPerm: n must be >= 0");
        return OnDevice(Tensor.Wrap(Native.rs_randperm(n, generator.Handle, (int)DType.Int64, 0, 0, out var r), r), device, false);
    }

    /// <summary>1 with probability p (elementwise), else 0.</summary>
    public static Tensor Bernoulli(Tensor probabilities, Generator generator) =>
        Tensor.Wrap(Native.rs_bernoulli(probabilities.H, generator.Handle, out var r), r);

    /// <summary>Indices drawn from each row's (unnormalised) probabilities.</summary>
    public static Tensor Multinomial(Tensor probabilities, long samples, bool replacement, Generator generator) =>
        Tensor.Wrap(Native.rs_multinomial(probabilities.H, samples, replacement ? 1 : 0, generator.Handle, out var r), r);

    private static Tensor OnDevice(Tensor t, Device? device, bool requiresGrad)
    {
        if (device is not { Type: DeviceType.Cuda } dev) return Leaf(t, requiresGrad);
        using var host = t;
        return Leaf(host.To(dev), requiresGrad);
    }

    // ---- joining ---------------------------------------------------------------------------------

    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Cat: needs at least one tensor", nameof(tensors));
        using var h = new PinnedHandles(tensors);
        fixed (IntPtr* p = h.Pointers) return Tensor.Wrap(Native.rs_cat(p, h.Pointers.Length, dim, out var r), r);
    }

    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor", nameof(tensors));
        using var h = new PinnedHandles(tensors);
        fixed (IntPtr* p = h.Pointers) return Tensor.Wrap(Native.rs_stack(p, h.Pointers.Length, dim, out var r), r);
    }

    /// <summary>Elementwise <c>condition ? a : b</c>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Tensor.Wrap(Native.rs_where(condition.H, a.H, b.H, out var r), r);

    /// <summary>Raw pointers of several handles, each AddRef'ed until disposed so none is freed during the call.</summary>
    internal readonly struct PinnedHandles : IDisposable
    {
        private readonly TensorHandle[] handles;

        public PinnedHandles(IReadOnlyList<Tensor> tensors)
        {
            handles = new TensorHandle[tensors.Count];
            Pointers = new IntPtr[tensors.Count];
            var added = 0;
            try
            {
                for (var i = 0; i < tensors.Count; i++)
                {
                    handles[i] = tensors[i].H;
                    var ok = false;
                    handles[i].DangerousAddRef(ref ok);
                    added++;
                    Pointers[i] = handles[i].DangerousGetHandle();
                }
            }
            catch
            {
                for (var i = 0; i < added; i++) handles[i].DangerousRelease();
                throw;
            }
        }

        public IntPtr[] Pointers { get; }

        public void Dispose()
        {
            foreach (var h in handles) h?.DangerousRelease();
        }
    }
}

/// <summary>Counters of the caching CPU allocator (<see cref="Torch.CpuCache"/>).</summary>
public readonly record struct CpuCacheStats(long Hits, long Misses, long IdleBytes, long CapacityBytes);
