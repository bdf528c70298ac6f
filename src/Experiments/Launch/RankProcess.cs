using System.Diagnostics;
using System.Text;

namespace ReLICv2.Experiments.Launch;

/// <summary>
/// One rank of a launch: its process, its output forwarded line by line with a <c>[rank K] </c> prefix (stdout to
/// stdout, stderr to stderr), copied to its log file, and its last lines kept for the failure message.
/// </summary>
internal sealed class RankProcess : IDisposable
{
    private const int KeptLines = 20;

    private readonly Process process;
    private readonly Output output;
    private readonly string prefix;
    private readonly Queue<string> tail = new();
    private StreamWriter? log;
    private readonly TaskCompletionSource stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RankProcess(int rank, Process process, Output output, StreamWriter? log, bool ownGroup)
    {
        Rank = rank;
        this.process = process;
        this.output = output;
        this.log = log;
        OwnGroup = ownGroup;
        prefix = $"[rank {rank}] ";
    }

    /// <summary>The rank (RANK) this process runs as.</summary>
    public int Rank { get; }

    /// <summary>The process id, which is also its process group's id when <see cref="OwnGroup"/>.</summary>
    public int Pid { get; private set; }

    /// <summary>The rank was started in a session and process group of its own (through setsid).</summary>
    public bool OwnGroup { get; }

    /// <summary>The process has ended, as seen by the launcher's loop (<see cref="MarkEnded"/>).</summary>
    public bool Ended => ExitCode is not null;

    /// <summary>The exit code once <see cref="Ended"/>; 128 + N when signal N ended the process.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Records the end of the process (after its exit event); returns the exit code.</summary>
    public int MarkEnded() => (ExitCode = process.ExitCode).Value;

    /// <summary>Completes when both output streams have reached their end (everything the rank wrote was forwarded).</summary>
    public Task Drained => Task.WhenAll(stdoutClosed.Task, stderrClosed.Task);

    /// <summary>The rank's last non-empty output line (stdout or stderr), or null when it printed nothing.</summary>
    public string? LastLine
    {
        get
        {
            lock (output.Lock) return tail.Count > 0 ? tail.Last() : null;
        }
    }

    /// <summary>
    /// Starts <paramref name="start"/> as rank <paramref name="rank"/>, its standard input closed; <paramref name="exited"/>
    /// is called (on a pool thread) when it ends.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    public static RankProcess Start(int rank, ProcessStartInfo start, bool ownGroup, Output output, string? logPath, Action<RankProcess> exited)
    {
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        var log = logPath is null ? null : new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var rankProcess = new RankProcess(rank, process, output, log, ownGroup);
        process.OutputDataReceived += (_, e) => rankProcess.Line(e.Data, output.Out, rankProcess.stdoutClosed);
        process.ErrorDataReceived += (_, e) => rankProcess.Line(e.Data, output.Error, rankProcess.stderrClosed);
        process.Exited += (_, _) => exited(rankProcess);
        try
        {
            process.Start();
        }
        catch
        {
            rankProcess.Dispose();
            throw;
        }
        rankProcess.Pid = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return rankProcess;
    }

    /// <summary>Sends <paramref name="signal"/> to the rank's process group (or the process alone outside one) unless it has ended.</summary>
    public void Signal(int signal)
    {
        if (!Ended && !process.HasExited) PosixSignals.ToGroupOf(Pid, signal);
    }

    /// <summary>SIGKILL to whatever the rank left running in its process group (nothing outside one).</summary>
    public void KillLeftovers()
    {
        if (OwnGroup) PosixSignals.ToGroup(Pid, PosixSignals.SIGKILL);
    }

    private void Line(string? line, TextWriter writer, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (output.Lock)
        {
            writer.WriteLine(prefix + line);
            log?.WriteLine(line);
            if (string.IsNullOrWhiteSpace(line)) return;
            if (tail.Count == KeptLines) tail.Dequeue();
            tail.Enqueue(line);
        }
    }

    public void Dispose()
    {
        lock (output.Lock)
        {
            log?.Dispose();
            log = null; // lines still arriving (a leftover holding the pipe) are forwarded but no longer logged
        }
        process.Dispose();
    }

    /// <summary>Where the ranks' lines go, and the lock that keeps lines whole and in order.</summary>
    internal sealed class Output(TextWriter stdout, TextWriter stderr)
    {
        public object Lock { get; } = new();
        public TextWriter Out { get; } = stdout;
        public TextWriter Error { get; } = stderr;
    }
}
