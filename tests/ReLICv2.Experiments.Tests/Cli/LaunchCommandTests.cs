using System.Collections.Concurrent;
using System.Diagnostics;
using ReLICv2.Distributed;
using ReLICv2.Experiments;
using ReLICv2.Experiments.Launch;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// <c>relic launch</c>: what each rank sees, how its output is forwarded and logged, how a failure, the time-out and
/// signals end the job, and the one-line option errors. Ranks are /bin/sh scripts (<c>--exec</c>) or relic itself; every
/// in-process launch carries a <c>--timeout</c>, so no test can hang. Nothing listens on or connects to any address.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class LaunchCommandTests
{
    private static (int Code, string Out, string Err, TimeSpan Elapsed) Launch(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var (code, output, error) = CommandLineTests.Run(["launch", .. args]);
        return (code, output, error, clock.Elapsed);
    }

    /// <summary>The lines of <paramref name="text"/> that carry a <c>[rank K] </c> prefix, by K, without it.</summary>
    private static Dictionary<int, List<string>> ByRank(string text)
    {
        var ranks = new Dictionary<int, List<string>>();
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (!line.StartsWith("[rank ", StringComparison.Ordinal)) continue;
            var close = line.IndexOf("] ", StringComparison.Ordinal);
            var rank = int.Parse(line[6..close]);
            (ranks.TryGetValue(rank, out var lines) ? lines : ranks[rank] = []).Add(line[(close + 2)..]);
        }
        return ranks;
    }

    /// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
    private sealed class TempDir : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("relic-launch-").FullName;

        public string File(string name) => Path.Combine(Root, name);

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Theory]
    [InlineData("--nproc-per-node 2", 2, 1, 0, "127.0.0.1", 29500)]
    [InlineData("--nproc-per-node 3 --master localhost:29501", 3, 1, 0, "localhost", 29501)]
    [InlineData("--nproc-per-node 2 --nnodes 2 --node-rank 1 --master 127.0.0.1:29555", 2, 2, 1, "127.0.0.1", 29555)]
    public void Every_rank_sees_its_place_in_the_job(string options, int n, int nnodes, int nodeRank, string host, int port)
    {
        var (code, output, error, _) = Launch([.. options.Split(' '), "--timeout", "60", "--exec", "--", "env"]);
        Assert.True(code == 0, error);
        var ranks = ByRank(output);
        Assert.Equal(Enumerable.Range(nodeRank * n, n), ranks.Keys.Order());
        var threads = Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is { Length: > 0 } inherited ? inherited : Math.Max(1, Environment.ProcessorCount / n).ToString();
        foreach (var (rank, lines) in ranks)
        {
            var vars = lines.Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => (string?)g.Last()[1]);
            Assert.Equal(new DistributedEnvironment(host, port, n * nnodes, rank, rank - nodeRank * n, n), DistributedEnvironment.FromEnvironment(vars));
            Assert.Equal(nodeRank.ToString(), vars["GROUP_RANK"]);
            Assert.Equal(threads, vars["OMP_NUM_THREADS"]);
        }
        Assert.Contains($"relic launch: ranks {nodeRank * n}-{nodeRank * n + n - 1} of {n * nnodes} (node {nodeRank} of {nnodes}), master {host}:{port}", error);
    }

    [Fact]
    public void Each_line_is_forwarded_with_its_rank_on_its_own_stream_and_logged_without_the_prefix()
    {
        using var dir = new TempDir();
        var (code, output, error, _) = Launch("--nproc-per-node", "2", "--timeout", "60", "--log-dir", dir.Root, "--exec", "--",
            "/bin/sh", "-c", "echo \"out $RANK a\"; echo \"err $RANK\" >&2; echo \"out $RANK b\"");
        Assert.True(code == 0, error);
        Assert.Equal(["[rank 0] out 0 a", "[rank 0] out 0 b", "[rank 1] out 1 a", "[rank 1] out 1 b"], Lines(output).Order());
        Assert.Equal(["out 0 a", "out 0 b"], ByRank(output)[0]);
        Assert.Equal(["[rank 0] err 0", "[rank 1] err 1"], Lines(error).Where(l => l.StartsWith('[')).Order());
        Assert.Equal(["rank-0.log", "rank-1.log"], Directory.GetFiles(dir.Root).Select(Path.GetFileName).Order());
        foreach (var rank in new[] { 0, 1 })
            Assert.Equal([$"err {rank}", $"out {rank} a", $"out {rank} b"], File.ReadAllLines(dir.File($"rank-{rank}.log")).Order());
    }

    [Fact]
    public void The_default_command_is_this_relic_with_the_arguments_after_the_separator()
    {
        var (code, output, error, _) = Launch("--nproc-per-node", "2", "--timeout", "120", "--", "presets", "show", "fashion-mnist", "--set", "epochs=3");
        Assert.True(code == 0, error);
        var ranks = ByRank(output);
        Assert.Equal([0, 1], ranks.Keys.Order());
        foreach (var lines in ranks.Values)
            Assert.Equal(Experiment.FashionMnistReLICv2().With("epochs", "3"), Experiment.FromJson(string.Join('\n', lines)));
    }

    [Fact]
    public void A_failing_rank_ends_the_others_and_is_named_with_its_code_and_last_line()
    {
        using var dir = new TempDir();
        var pidFile = dir.File("rank0.pid");
        var script = $"""
            if [ "$RANK" = 0 ]; then echo $$ > '{pidFile}'; echo started; exec sleep 60; fi
            i=0; while [ ! -s '{pidFile}' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
            echo "loading shard" >&2; echo "rank one broke: bad shard" >&2; echo >&2; exit 3
            """;
        var (code, _, error, elapsed) = Launch("--nproc-per-node", "2", "--grace", "30", "--timeout", "60", "--exec", "--", "/bin/sh", "-c", script);
        Assert.Equal(3, code);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}: rank 0 was not ended by SIGINT before the 30 s grace");
        Assert.Contains("relic launch: rank 1 exited with code 3; stopping rank(s) 0 (SIGINT, SIGKILL after 30 s)", error);
        Assert.DoesNotContain("SIGKILL to", error);
        Assert.Equal("relic launch: rank 1 exited with code 3; its last line: rank one broke: bad shard", Lines(error)[^1]);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid)); // rank 0's sleep was ended, not left behind
    }

    [Fact]
    public void A_rank_killed_by_a_signal_is_named_with_the_signal()
    {
        var (code, _, error, elapsed) = Launch("--nproc-per-node", "2", "--timeout", "60", "--exec", "--",
            "/bin/sh", "-c", "if [ \"$RANK\" = 1 ]; then echo 'about to die'; kill -KILL $$; fi; exec sleep 60");
        Assert.Equal(137, code);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}: rank 0 was not ended by SIGINT before the 30 s grace");
        Assert.Equal("relic launch: rank 1 was killed by SIGKILL (exit code 137); its last line: about to die", Lines(error)[^1]);
    }

    [Fact]
    public void The_timeout_stops_every_rank_and_ranks_ignoring_SIGINT_get_SIGKILL_after_the_grace()
    {
        var (code, output, error, elapsed) = Launch("--nproc-per-node", "2", "--timeout", "2", "--grace", "1", "--exec", "--",
            "/bin/sh", "-c", "trap '' INT; echo waiting; sleep 60");
        Assert.Equal(Launcher.TimeoutExitCode, code);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"took {elapsed}");
        Assert.Equal(["[rank 0] waiting", "[rank 1] waiting"], Lines(output).Order());
        Assert.Contains("relic launch: the job reached --timeout 2 s; stopping rank(s) 0, 1 (SIGINT, SIGKILL after 1 s)", error);
        Assert.Contains("relic launch: rank(s) 0, 1 did not stop within the 1 s grace; sending SIGKILL to rank(s) 0, 1", error);
        Assert.Equal("relic launch: stopped at --timeout 2 s; exit codes: rank 0 137, rank 1 137", Lines(error)[^1]);
    }

    [SignalsDeliverableTheory]
    [InlineData(PosixSignals.SIGINT, "SIGINT")]
    [InlineData(PosixSignals.SIGTERM, "SIGTERM")]
    public void A_signal_to_the_launcher_reaches_every_rank_once_as_SIGINT(int signal, string name)
    {
        // Each rank counts the SIGINTs it gets, stops waiting at the first, then gives a duplicate 0.5 s to arrive.
        const string script = """
            trap 'n=$((n+1)); echo "rank $RANK INT $n"' INT
            echo "ready $OMP_NUM_THREADS"
            while [ "${n:-0}" -lt 1 ]; do sleep 0.1; done
            sleep 0.5; echo "rank $RANK done after $n"
            """;
        var (program, prefix) = Launcher.SelfCommand();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[.. prefix, "launch", "--nproc-per-node", "2", "--grace", "20", "--timeout", "120", "--exec", "--", "/bin/sh", "-c", script])
            start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "3";
        var lines = new ConcurrentQueue<string>();
        var error = new ConcurrentQueue<string>();
        using var ready = new CountdownEvent(2);
        using var launcher = new Process { StartInfo = start };
        launcher.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            if (e.Data.EndsWith("] ready 3", StringComparison.Ordinal)) ready.Signal();
        };
        launcher.ErrorDataReceived += (_, e) => { if (e.Data is not null) error.Enqueue(e.Data); };
        launcher.Start();
        launcher.BeginOutputReadLine();
        launcher.BeginErrorReadLine();
        try
        {
            Assert.True(ready.Wait(TimeSpan.FromSeconds(60)), $"ranks not ready: {string.Join(" | ", lines.Concat(error))}");
            Assert.True(PosixSignals.ToProcess(launcher.Id, signal));
            Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(60)), $"launcher still running: {string.Join(" | ", lines.Concat(error))}");
            launcher.WaitForExit();
        }
        finally
        {
            if (!launcher.HasExited) launcher.Kill(entireProcessTree: true);
        }
        var err = string.Join('\n', error);
        Assert.Equal(128 + signal, launcher.ExitCode);
        foreach (var rank in new[] { 0, 1 })
            Assert.Equal(["ready 3", $"rank {rank} INT 1", $"rank {rank} done after 1"], ByRank(string.Join('\n', lines))[rank]);
        Assert.Contains($"relic launch: {name} received, forwarded as SIGINT", err);
        Assert.EndsWith($"relic launch: stopped on {name}; exit codes: rank 0 0, rank 1 0", err);
    }

    [Theory]
    [InlineData("--exec -- true", "--nproc-per-node is required: the number of ranks on this machine, in [1, 1024]")]
    [InlineData("--nproc-per-node 0 --exec -- true", "--nproc-per-node must be in [1, 1024], got 0")]
    [InlineData("--nproc-per-node two --exec -- true", "--nproc-per-node must be an integer in [1, 1024], got 'two'")]
    [InlineData("--nproc-per-node 2 --nnodes 0 -- presets", "--nnodes must be in [1, 65536], got 0")]
    [InlineData("--nproc-per-node 2 --nnodes 2 --node-rank 2 --master 127.0.0.1:29500 -- presets", "--node-rank must be in [0, 2) for --nnodes 2, got 2")]
    [InlineData("--nproc-per-node 2 --nnodes 2 --node-rank -1 --master 127.0.0.1:29500 -- presets", "--node-rank must be in [0, 2) for --nnodes 2, got -1")]
    [InlineData("--nproc-per-node 2 --nnodes 2 --node-rank 1 -- presets", "--master HOST:PORT is required when --nnodes is 2 (> 1): the machine of --node-rank 0 and a free port there")]
    [InlineData("--nproc-per-node 2 --master 127.0.0.1 -- presets", "--master must be HOST:PORT (port in [1, 65535]), got '127.0.0.1'")]
    [InlineData("--nproc-per-node 2 --master :29500 -- presets", "--master must be HOST:PORT (port in [1, 65535]), got ':29500'")]
    [InlineData("--nproc-per-node 2 --master 127.0.0.1:70000 -- presets", "--master port must be in [1, 65535], got 70000 (in '127.0.0.1:70000')")]
    [InlineData("--nproc-per-node 2 --master 127.0.0.1:0 -- presets", "--master port must be in [1, 65535], got 0 (in '127.0.0.1:0')")]
    [InlineData("--nproc-per-node 2 --master 127.0.0.1:http -- presets", "--master port must be an integer in [1, 65535], got 'http' (in '127.0.0.1:http')")]
    [InlineData("--nproc-per-node 2 --timeout 0 -- presets", "--timeout must be in [1, 2592000] seconds, got 0")]
    [InlineData("--nproc-per-node 2 --grace -1 -- presets", "--grace must be in [0, 3600] seconds, got -1")]
    [InlineData("--nproc-per-node 2 --grace 2.5 -- presets", "--grace must be an integer in [0, 3600] seconds, got '2.5'")]
    [InlineData("--nproc-per-node 2", "give the command after --, e.g. relic launch --nproc-per-node 2 -- pretrain --preset fashion-mnist (or --exec -- PROGRAM ARGS)")]
    [InlineData("--nproc-per-node 2 --exec -- no-such-program-for-relic-launch", "--exec: 'no-such-program-for-relic-launch' is neither an executable file nor a program on PATH")]
    public void Bad_options_give_a_one_line_error_with_the_value_and_exit_code_2(string args, string message)
    {
        var (code, output, error, _) = Launch(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal($"relic launch: {message}", error.Trim());
        Assert.Empty(output);
    }

    [Theory]
    [InlineData(3, "exited with code 3")]
    [InlineData(130, "was killed by SIGINT (exit code 130)")]
    [InlineData(143, "was killed by SIGTERM (exit code 143)")]
    [InlineData(139, "was killed by SIGSEGV (exit code 139)")]
    [InlineData(255, "exited with code 255")]
    public void Exit_codes_above_128_are_named_by_their_signal(int code, string description)
    {
        Assert.Equal(description, Launcher.Describe(code));
    }
}
