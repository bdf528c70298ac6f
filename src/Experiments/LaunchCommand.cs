using System.CommandLine;
using ReLICv2.Experiments.Launch;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic launch</c>: starts the ranks of a data-parallel job on this machine, in the manner of torchrun.
/// <para>
/// Usage: <c>relic launch --nproc-per-node N [--nnodes M --node-rank R --master HOST:PORT] [--timeout SECONDS]
/// [--grace SECONDS] [--log-dir DIR] [--exec] -- ARGS…</c>. Without <c>--exec</c> every rank runs this relic with ARGS
/// (<c>relic launch --nproc-per-node 2 -- pretrain --preset fashion-mnist</c>; the apphost, or <c>dotnet relic.dll</c>
/// when relic runs under the .NET host); with <c>--exec</c> ARGS are any program and its arguments. On several machines
/// run one launcher per machine with the same N, M and <c>--master</c> (the machine of node rank 0 and a free port) and
/// that machine's <c>--node-rank</c>.
/// </para>
/// <para>
/// Rank <c>node_rank·N + i</c> gets MASTER_ADDR, MASTER_PORT (default 127.0.0.1:29500 on one machine), WORLD_SIZE = N·M,
/// RANK, LOCAL_RANK = i, LOCAL_WORLD_SIZE = N, GROUP_RANK = node_rank and, unless the launcher's environment sets it,
/// OMP_NUM_THREADS = max(1, cores ÷ N); <see cref="Distributed.DistributedEnvironment.FromEnvironment"/> reads them.
/// Each rank runs in a session of its own (setsid(1)), so a terminal's Ctrl-C reaches only the launcher, which forwards
/// SIGINT and SIGTERM as one SIGINT to every rank's process group (<c>relic pretrain</c> writes a checkpoint on it); a
/// second signal, or the end of <c>--grace</c> (default 30 s), sends SIGKILL. Every line a rank writes is forwarded with
/// the prefix <c>[rank K] </c> (all ranks alike, rank 0 included, so logs can be filtered by rank; stdout to stdout,
/// stderr to stderr) and, with <c>--log-dir</c>, appended unprefixed to DIR/rank-K.log.
/// </para>
/// <para>
/// When a rank exits non-zero (or is killed by a signal) the others are stopped the same way and the launcher prints
/// which rank failed, how, and its last non-empty line. Exit code: 0 when every rank exits 0; else the failing rank's
/// code (128 + N for signal N); 124 when <c>--timeout</c> ended the job; 130 / 143 after SIGINT / SIGTERM; 1 when a
/// rank could not start; 2 for a bad option.
/// </para>
/// </summary>
public static class LaunchCommand
{
    public static Command Build()
    {
        var nproc = new Option<string?>("--nproc-per-node") { Description = $"Ranks (processes) on this machine, in [1, {LaunchPlan.MaxNprocPerNode}]; required.", HelpName = "N" };
        var nnodes = new Option<string?>("--nnodes") { Description = $"Machines in the job, in [1, {LaunchPlan.MaxNnodes}] (default 1).", HelpName = "M" };
        var nodeRank = new Option<string?>("--node-rank") { Description = "This machine's index, in [0, M) (default 0).", HelpName = "R" };
        var master = new Option<string?>("--master")
        {
            Description = "HOST:PORT of rank 0's store: the machine of node rank 0 and a free port (default 127.0.0.1:29500; required when M > 1).",
            HelpName = "HOST:PORT",
        };
        var timeout = new Option<string?>("--timeout") { Description = $"Stop every rank when the job runs longer, in [1, {LaunchPlan.MaxTimeoutSeconds}] seconds (exit code 124).", HelpName = "SECONDS" };
        var grace = new Option<string?>("--grace")
        {
            Description = $"Seconds a rank has to stop after SIGINT before SIGKILL, in [0, {LaunchPlan.MaxGraceSeconds}] (default {LaunchPlan.DefaultGraceSeconds}).",
            HelpName = "SECONDS",
        };
        var logDir = new Option<DirectoryInfo?>("--log-dir") { Description = "Also append each rank's output to DIR/rank-K.log.", HelpName = "DIR" };
        var exec = new Option<bool>("--exec") { Description = "The arguments after -- are a program and its arguments, not a relic command." };
        var args = new Argument<string[]>("args")
        {
            Description = "After --: the relic command every rank runs (e.g. pretrain --preset fashion-mnist), or with --exec a program and its arguments.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("launch", "Run the ranks of a data-parallel job on this machine (torchrun style): relic launch --nproc-per-node N -- pretrain …")
        {
            nproc, nnodes, nodeRank, master, timeout, grace, logDir, exec, args,
        };
        command.SetAction(parse =>
        {
            if (OperatingSystem.IsWindows())
            {
                Console.Error.WriteLine("relic launch: needs Linux or macOS (it forwards POSIX signals to the ranks)");
                return 1;
            }
            Launcher launcher;
            try
            {
                var plan = LaunchPlan.Parse(parse.GetValue(nproc), parse.GetValue(nnodes), parse.GetValue(nodeRank), parse.GetValue(master),
                    parse.GetValue(timeout), parse.GetValue(grace), parse.GetValue(logDir)?.FullName, parse.GetValue(exec), parse.GetValue(args) ?? []);
                launcher = Launcher.Create(plan, Console.Out, Console.Error);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"relic launch: {Experiment.OneLine(e)}");
                return 2;
            }
            return launcher.Run();
        });
        return command;
    }
}
