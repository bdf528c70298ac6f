using System.Runtime.InteropServices;

namespace ReLICv2.Experiments.Launch;

/// <summary>
/// Sending POSIX signals with libc's kill(2) (<see cref="System.Diagnostics.Process.Kill()"/> only sends SIGKILL).
/// Signal numbers are those of Linux and macOS.
/// </summary>
internal static partial class PosixSignals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false when it does not exist (any more).</summary>
    public static bool ToProcess(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>
    /// Sends <paramref name="signal"/> to the process group led by <paramref name="pid"/> (the rank and everything it
    /// started) when <paramref name="pid"/> leads one, else to the process alone; false when neither exists.
    /// </summary>
    public static bool ToGroupOf(int pid, int signal) =>
        pid > 0 && (GetProcessGroup(pid) == pid ? Kill(-pid, signal) == 0 : Kill(pid, signal) == 0);

    /// <summary>Sends <paramref name="signal"/> to what is left of process group <paramref name="pgid"/>; false when it is empty.</summary>
    public static bool ToGroup(int pgid, int signal) => pgid > 0 && Kill(-pgid, signal) == 0;

    /// <summary>
    /// This process ignores <paramref name="signal"/> (Linux: the SigIgn mask of /proc/self/status; false where that is
    /// not readable). A process started with SIGINT ignored, such as a job put in the background of a script, keeps
    /// ignoring it, and so do the processes it starts.
    /// </summary>
    public static bool IsIgnored(int signal)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var mask)
                && (mask >> (signal - 1) & 1) == 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The conventional name of <paramref name="signal"/> (<c>SIGKILL</c>), or <c>signal N</c>.</summary>
    public static string Name(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    private static partial int GetProcessGroup(int pid);
}
