using System.Globalization;
using System.Runtime.InteropServices;

namespace ReLICv2;

/// <summary>
/// libtorch's autograd profiler on the calling thread: every ATen operator it runs — forward, and backward, which the
/// autograd engine runs on the calling thread on the CPU — is recorded with its start and end, beside the named ranges
/// opened with <see cref="Range"/> (the pre-training engine marks the phases of a step with them: views, forward, loss,
/// backward, optimiser, EMA). Only the thread that called <see cref="Start"/> is recorded. <c>relic bench step
/// --profile</c> aggregates the ranges into a breakdown of the step by category (docs/benchmarks.md §2.2).
/// </summary>
public static class Profiler
{
    [ThreadStatic] private static bool recording;

    /// <summary>True while this thread records.</summary>
    public static bool IsRecording => recording;

    /// <summary>Starts recording this thread's operators and ranges.</summary>
    /// <exception cref="InvalidOperationException">This thread records already.</exception>
    public static void Start()
    {
        if (recording) throw new InvalidOperationException("Profiler.Start: this thread is recording already; call Profiler.Stop first");
        TorchException.Check(Native.rs_profiler_start());
        recording = true;
    }

    /// <summary>Stops recording and returns every range recorded (operators and named ranges), in the order they ended.</summary>
    /// <exception cref="InvalidOperationException">This thread does not record.</exception>
    public static IReadOnlyList<ProfiledRange> Stop()
    {
        if (!recording) throw new InvalidOperationException("Profiler.Stop: this thread is not recording; call Profiler.Start first");
        recording = false;
        TorchException.Check(Native.rs_profiler_stop(out var text));
        return Parse(Marshal.PtrToStringUTF8(text) ?? "");
    }

    /// <summary>
    /// Opens a named range on this thread, closed when the result is disposed; free (nothing is called) unless this thread
    /// records.
    /// </summary>
    public static ProfilerRange Range(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!recording) return default;
        TorchException.Check(Native.rs_profiler_range_push(name));
        return new ProfilerRange(true);
    }

    /// <summary>Reads the shim's text: one range a line, thread, name, start and end in microseconds, tab-separated.</summary>
    internal static IReadOnlyList<ProfiledRange> Parse(string text)
    {
        var ranges = new List<ProfiledRange>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            if (f.Length != 4) throw new FormatException($"Profiler: a recorded range must have 4 tab-separated fields, got '{line}'");
            ranges.Add(new ProfiledRange(long.Parse(f[0], CultureInfo.InvariantCulture), f[1],
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return ranges;
    }
}
