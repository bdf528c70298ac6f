using System.Globalization;

namespace ReLICv2;

/// <summary>
/// Memory figures of this process and machine from Linux's /proc, for the benchmarks and run results: resident memory
/// now and at its peak (what the kernel had to find for the process, libtorch's tensors, the caching allocator's idle
/// blocks and the .NET runtime together), and the machine's memory. Null where /proc does not say (other systems).
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resident memory now (VmRSS of /proc/self/status), in bytes.</summary>
    public static long? ResidentBytes => StatusField(ReadOrNull("/proc/self/status"), "VmRSS");

    /// <summary>The peak of resident memory since the process started (VmHWM of /proc/self/status), in bytes.</summary>
    public static long? PeakResidentBytes => StatusField(ReadOrNull("/proc/self/status"), "VmHWM");

    /// <summary>The machine's memory (MemTotal of /proc/meminfo), in bytes.</summary>
    public static long? TotalBytes => StatusField(ReadOrNull("/proc/meminfo"), "MemTotal");

    /// <summary>
    /// The value of a "Key:   123 kB" line of a /proc status text, in bytes; null when the text or the line is missing or
    /// the line is not a count of kB.
    /// </summary>
    internal static long? StatusField(string? text, string key)
    {
        if (text is null) return null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal) || line.Length <= key.Length || line[key.Length] != ':') continue;
            var parts = line[(key.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
                ? kb * 1024
                : null;
        }
        return null;
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
