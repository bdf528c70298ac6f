using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ReLICv2.Experiments.Launch;

/// <summary>
/// Runs the ranks of a <see cref="LaunchPlan"/> on this machine and supervises them: forwards their output, forwards
/// SIGINT/SIGTERM as SIGINT, ends the others when one fails or the time-out passes (SIGINT, then SIGKILL after the grace
/// period), and turns the outcome into one exit code.
/// </summary>
internal sealed class Launcher
{
    /// <summary>Exit code when <c>--timeout</c> ended the job (as timeout(1)).</summary>
    public const int TimeoutExitCode = 124;

    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AfterKillLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    private readonly LaunchPlan plan;
    private readonly RankProcess.Output output;
    private readonly string program;
    private readonly IReadOnlyList<string> arguments;
    private readonly string? setsid;

    private Launcher(LaunchPlan plan, TextWriter stdout, TextWriter stderr, string program, IReadOnlyList<string> arguments, string? setsid)
    {
        this.plan = plan;
        output = new RankProcess.Output(stdout, stderr);
        this.program = program;
        this.arguments = arguments;
        this.setsid = setsid;
    }

    /// <summary>
    /// A launcher of <paramref name="plan"/> writing the ranks' lines and its own messages to <paramref name="stdout"/> and
    /// <paramref name="stderr"/>; throws <see cref="ArgumentException"/> when the <c>--exec</c> program cannot be found or
    /// the log folder cannot be created.
    /// </summary>
    public static Launcher Create(LaunchPlan plan, TextWriter stdout, TextWriter stderr)
    {
        string program;
        IReadOnlyList<string> arguments;
        if (plan.Exec)
        {
            program = FindProgram(plan.Command[0]) ?? throw new ArgumentException($"--exec: '{plan.Command[0]}' is neither an executable file nor a program on PATH");
            arguments = [.. plan.Command.Skip(1)];
        }
        else
        {
            var (self, prefix) = SelfCommand();
            program = self;
            arguments = [.. prefix, .. plan.Command];
        }
        if (plan.LogDirectory is { } dir)
        {
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new ArgumentException($"--log-dir: cannot create '{dir}': {e.Message}");
            }
        }
        return new Launcher(plan, stdout, stderr, program, arguments, FindProgram("setsid"));
    }

    /// <summary>
    /// How to start this relic again: its apphost when that is the running executable, else the .NET host with relic.dll
    /// (<c>dotnet relic.dll</c>, also when the command tree runs inside another host such as a test runner).
    /// </summary>
    internal static (string Program, IReadOnlyList<string> Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath;
        var dll = typeof(Launcher).Assembly.Location;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "relic") return (process, []);
        if (dll.Length == 0) return (process ?? "relic", []); // single-file: the executable is relic itself
        var host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath
            : FindProgram("dotnet") ?? "dotnet";
        return (host, [dll]);
    }

    /// <summary>The full path of <paramref name="name"/>: a path to an executable file, or the first executable of that name on PATH.</summary>
    internal static string? FindProgram(string name)
    {
        static bool Executable(string path) =>
            File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
        if (name.Contains('/')) return Executable(name) ? Path.GetFullPath(name) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (Executable(path)) return Path.GetFullPath(path);
        }
        return null;
    }

    /// <summary>"exited with code 3", or "was killed by SIGKILL (exit code 137)" for codes 129-192.</summary>
    internal static string Describe(int exitCode) =>
        exitCode is > 128 and <= 192 ? $"was killed by {PosixSignals.Name(exitCode - 128)} (exit code {exitCode})" : $"exited with code {exitCode}";

    /// <summary>Runs the job to its end; returns the launcher's exit code.</summary>
    public int Run()
    {
        using var events = new BlockingCollection<(RankProcess? Ended, int Signal)>();
        void Post((RankProcess?, int) e)
        {
            try
            {
                events.Add(e);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
            {
                // the job is over; nothing listens any more
            }
        }
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            Post((null, context.Signal == PosixSignal.SIGTERM ? PosixSignals.SIGTERM : PosixSignals.SIGINT));
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var ranks = new List<RankProcess>();
        var clock = Stopwatch.StartNew();
        var threads = Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is { Length: > 0 } inherited ? inherited : plan.ThreadsPerRank.ToString(CultureInfo.InvariantCulture);
        var first = plan.GlobalRank(0);
        var last = plan.GlobalRank(plan.NprocPerNode - 1);
        Say($"{(first == last ? $"rank {first}" : $"ranks {first}-{last}")} of {plan.WorldSize} (node {plan.NodeRank} of {plan.Nnodes}), " +
            $"master {plan.MasterAddress}:{plan.MasterPort}, OMP_NUM_THREADS={threads}" +
            (setsid is null ? "; setsid(1) not found: the ranks share the launcher's process group, so a terminal's Ctrl-C reaches them twice" : "") +
            (PosixSignals.IsIgnored(PosixSignals.SIGINT) ? "; this launcher was started with SIGINT ignored (in the background of a script?), so are the ranks: they stop only at SIGKILL" : ""));

        string? startError = null;
        for (var local = 0; local < plan.NprocPerNode && startError is null; local++)
        {
            var rank = plan.GlobalRank(local);
            try
            {
                var log = plan.LogDirectory is { } dir ? Path.Combine(dir, $"rank-{rank}.log") : null;
                ranks.Add(RankProcess.Start(rank, StartInfo(local), setsid is not null, output, log, r => Post((r, 0))));
            }
            catch (Exception e) when (e is Win32Exception or IOException or UnauthorizedAccessException)
            {
                startError = $"cannot start rank {rank} ({program}): {e.Message}";
            }
        }

        var stopping = false;
        var killed = false;
        TimeSpan? killAt = null;
        RankProcess? failed = null;
        var signal = 0;
        var timedOut = false;
        var ended = 0;

        string Live() => string.Join(", ", ranks.Where(r => !r.Ended).Select(r => r.Rank));
        void Stop(string why)
        {
            stopping = true;
            var live = Live();
            Say(live.Length == 0 ? why : $"{why}; stopping rank(s) {live} (SIGINT, SIGKILL after {plan.Grace.TotalSeconds:0} s)");
            foreach (var r in ranks) r.Signal(PosixSignals.SIGINT);
            killAt = clock.Elapsed + plan.Grace;
        }
        void Kill(string why)
        {
            Say($"{why}; sending SIGKILL to rank(s) {Live()}");
            foreach (var r in ranks) r.Signal(PosixSignals.SIGKILL);
            killed = true;
            killAt = clock.Elapsed + AfterKillLimit;
        }

        if (startError is not null) Stop(startError);
        while (ended < ranks.Count)
        {
            var due = stopping ? killAt : plan.Timeout;
            // waits of at most an hour: BlockingCollection takes no more than int.MaxValue milliseconds (a --timeout may be 30 days)
            var wait = due is { } d ? TimeSpan.FromMilliseconds(Math.Ceiling(Math.Clamp((d - clock.Elapsed).TotalMilliseconds, 0, MaxWait.TotalMilliseconds))) : MaxWait;
            if (events.TryTake(out var e, wait))
            {
                if (e.Ended is { } r)
                {
                    if (r.Ended) continue;
                    var code = r.MarkEnded();
                    ended++;
                    if (code != 0 && !stopping)
                    {
                        failed = r;
                        Stop($"rank {r.Rank} {Describe(code)}");
                    }
                }
                else if (!stopping)
                {
                    signal = e.Signal;
                    Stop($"{PosixSignals.Name(signal)} received, forwarded as SIGINT (again to SIGKILL at once)");
                }
                else if (!killed)
                {
                    Kill($"{PosixSignals.Name(e.Signal)} received while stopping");
                }
                continue;
            }
            if (due is null || clock.Elapsed < due) continue;
            if (!stopping)
            {
                timedOut = true;
                Stop($"the job reached --timeout {plan.Timeout!.Value.TotalSeconds:0} s");
            }
            else if (!killed)
            {
                Kill($"rank(s) {Live()} did not stop within the {plan.Grace.TotalSeconds:0} s grace");
            }
            else
            {
                Say($"rank(s) {Live()} did not end {AfterKillLimit.TotalSeconds:0} s after SIGKILL; leaving them");
                break;
            }
        }

        if (stopping)
            foreach (var r in ranks) r.KillLeftovers();
        Task.WaitAll(ranks.Select(r => r.Drained).ToArray(), DrainLimit);
        var summary = string.Join(", ", ranks.Select(r => $"rank {r.Rank} {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "running"}"));
        foreach (var r in ranks) r.Dispose();

        if (startError is not null)
        {
            Say(startError);
            return 1;
        }
        if (failed is not null)
        {
            var line = failed.LastLine;
            var code = failed.ExitCode!.Value;
            Say($"rank {failed.Rank} {Describe(code)}; {(line is null ? "it printed nothing" : $"its last line: {line}")}");
            return code;
        }
        if (timedOut)
        {
            Say($"stopped at --timeout {plan.Timeout!.Value.TotalSeconds:0} s; exit codes: {summary}");
            return TimeoutExitCode;
        }
        if (signal != 0)
        {
            Say($"stopped on {PosixSignals.Name(signal)}; exit codes: {summary}");
            return 128 + signal;
        }
        return 0;
    }

    /// <summary>The process of local rank <paramref name="local"/>: the command (through setsid when found) with the rank's variables.</summary>
    private ProcessStartInfo StartInfo(int local)
    {
        var start = new ProcessStartInfo(setsid ?? program);
        if (setsid is not null) start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in plan.Variables(local)) start.Environment[name] = value;
        if (!start.Environment.TryGetValue("OMP_NUM_THREADS", out var threads) || string.IsNullOrEmpty(threads))
            start.Environment["OMP_NUM_THREADS"] = plan.ThreadsPerRank.ToString(CultureInfo.InvariantCulture);
        return start;
    }

    private void Say(string message)
    {
        lock (output.Lock) output.Error.WriteLine($"relic launch: {message}");
    }
}
