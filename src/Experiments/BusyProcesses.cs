using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ReLICv2.Experiments;

/// <summary>
/// K child processes that keep one core each busy (a shell loop doing nothing), for <c>relic bench step --contend K</c>
/// (docs/benchmarks.md §6). Each runs under coreutils' <c>timeout -s KILL</c>, so it ends by itself after the limit even
/// if this process is killed outright; disposing kills them at once, and so do SIGINT, SIGTERM, SIGQUIT and the process'
/// exit while they are running — they are never left behind.
/// </summary>
internal sealed class BusyProcesses : IDisposable
{
    private const string Timeout = "/usr/bin/timeout", Shell = "/bin/sh";
    private readonly List<Process> processes = [];
    private readonly List<PosixSignalRegistration> signals = [];
    private int killed;

    private BusyProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
            signals.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
    }

    /// <summary>Starts <paramref name="count"/> busy processes that end by themselves after <paramref name="limit"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count outside [1, 256] or a limit outside [1 s, 1 day].</exception>
    /// <exception cref="InvalidOperationException">No /usr/bin/timeout or /bin/sh on this machine.</exception>
    public static BusyProcesses Start(int count, TimeSpan limit)
    {
        if (count is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(count), count, "busy processes: count must be in [1, 256]");
        if (limit < TimeSpan.FromSeconds(1) || limit > TimeSpan.FromDays(1))
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "busy processes: the time limit must be in [1 s, 1 day]");
        if (!File.Exists(Timeout) || !File.Exists(Shell))
            throw new InvalidOperationException($"busy processes need {Timeout} (coreutils) and {Shell}");
        var busy = new BusyProcesses();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var psi = new ProcessStartInfo(Timeout) { UseShellExecute = false, RedirectStandardInput = true };
                foreach (var a in new[] { "-s", "KILL", ((int)Math.Ceiling(limit.TotalSeconds)).ToString(CultureInfo.InvariantCulture), Shell, "-c", "while :; do :; done" })
                    psi.ArgumentList.Add(a);
                busy.processes.Add(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Timeout}"));
            }
            return busy;
        }
        catch
        {
            busy.Dispose();
            throw;
        }
    }

    /// <summary>The processes' ids (each a <c>timeout</c> whose child spins).</summary>
    public IReadOnlyList<int> Ids => [.. processes.Select(p => p.Id)];

    /// <summary>How many of them are still running.</summary>
    public int Running => processes.Count(p => !p.HasExited);

    /// <summary>Kills every process (with its child), waits for them and stops watching the signals.</summary>
    public void Dispose()
    {
        KillAll();
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        foreach (var s in signals) s.Dispose();
        foreach (var p in processes) p.Dispose();
    }

    /// <summary>Kills every process still running and waits for it; safe to call more than once, from any thread (a signal handler).</summary>
    private void KillAll()
    {
        if (Interlocked.Exchange(ref killed, 1) != 0) return;
        foreach (var p in processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // it ended on its own between the check and the kill
            }
        }
    }

    private void OnExit(object? sender, EventArgs e) => KillAll();
}
