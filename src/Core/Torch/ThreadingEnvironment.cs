using System.Runtime.InteropServices;

namespace ReLICv2;

/// <summary>
/// Settings the OpenMP runtime (libgomp, under libtorch's intra-op pool and oneDNN) reads once, when it is loaded, and
/// which must therefore be in the process environment before the shim loads libtorch (docs/benchmarks.md §6).
/// </summary>
/// <remarks>
/// libgomp lets a thread that finished its share of a parallel region spin GOMP_SPINCOUNT times (300 000 by default,
/// milliseconds on a current CPU) before it sleeps. On a machine whose cores other processes also use, a region's
/// threads are often descheduled, and the threads waiting for them burn the CPU the late ones need: many short regions
/// (augmentation at CIFAR scale) then slow down far more than the CPU they lost. Unless the user chose a wait policy
/// (OMP_WAIT_POLICY or GOMP_SPINCOUNT in the environment), the spin is cut to <see cref="SpinCount"/>, about a tenth of a
/// millisecond — still longer than the gap between two regions of one operator on a quiet machine. The value is set with
/// the C library's setenv (.NET's Environment.SetEnvironmentVariable changes only the managed copy), so it reaches
/// libgomp and is not passed to child processes started through <see cref="System.Diagnostics.Process"/>.
/// </remarks>
internal static partial class ThreadingEnvironment
{
    /// <summary>The GOMP_SPINCOUNT the shim's loader sets when the user set no OpenMP wait policy.</summary>
    internal const string SpinCount = "10000";

    private static int applied;

    /// <summary>The OpenMP wait settings in effect, as the environment holds them (e.g. "GOMP_SPINCOUNT=10000 (relic default)").</summary>
    internal static string Description { get; private set; } = "not applied yet";

    /// <summary>Sets the OpenMP wait settings once, before libtorch and its OpenMP runtime are loaded.</summary>
    internal static void Apply()
    {
        if (Interlocked.Exchange(ref applied, 1) != 0) return;
        Description = Choose(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"), out var set);
        if (set is { } value) _ = setenv("GOMP_SPINCOUNT", value, 0);
    }

    /// <summary>
    /// The spin count to set (null: the user's choice stands) and its description, from the user's OMP_WAIT_POLICY and
    /// GOMP_SPINCOUNT.
    /// </summary>
    internal static string Choose(string? waitPolicy, string? spinCount, out string? set)
    {
        set = null;
        if (!string.IsNullOrWhiteSpace(spinCount) || !string.IsNullOrWhiteSpace(waitPolicy))
            return string.Join(' ', new[] { ("OMP_WAIT_POLICY", waitPolicy), ("GOMP_SPINCOUNT", spinCount) }
                .Where(kv => !string.IsNullOrWhiteSpace(kv.Item2)).Select(kv => $"{kv.Item1}={kv.Item2}")) + " (user)";
        set = SpinCount;
        return $"GOMP_SPINCOUNT={SpinCount} (relic default)";
    }

    /// <summary>The variable as the C library sees it (what libgomp read), or null.</summary>
    internal static string? NativeValue(string name) => Marshal.PtrToStringUTF8(getenv(name));

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
