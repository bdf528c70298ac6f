using System.Globalization;
using ReLICv2.Distributed;

namespace ReLICv2.Experiments.Launch;

/// <summary>
/// A validated <c>relic launch</c>: the ranks of this machine, where rank 0's store listens, the time limits, the log
/// folder and the command every rank runs.
/// </summary>
/// <param name="NprocPerNode">Ranks on this machine (LOCAL_WORLD_SIZE).</param>
/// <param name="Nnodes">Machines in the job.</param>
/// <param name="NodeRank">This machine's index (GROUP_RANK).</param>
/// <param name="MasterAddress">Host of rank 0 (MASTER_ADDR).</param>
/// <param name="MasterPort">Port of rank 0's store (MASTER_PORT).</param>
/// <param name="Timeout">Limit of the whole job, or null.</param>
/// <param name="Grace">Time a rank has to stop after SIGINT before SIGKILL.</param>
/// <param name="LogDirectory">Folder of the rank-K.log files, or null.</param>
/// <param name="Exec">The command is a program and its arguments rather than a relic command.</param>
/// <param name="Command">What follows <c>--</c>.</param>
internal sealed record LaunchPlan(
    int NprocPerNode, int Nnodes, int NodeRank, string MasterAddress, int MasterPort, TimeSpan? Timeout, TimeSpan Grace,
    string? LogDirectory, bool Exec, IReadOnlyList<string> Command)
{
    public const int MaxNprocPerNode = 1024;
    public const int MaxNnodes = 65536;
    public const int MaxTimeoutSeconds = 30 * 24 * 3600;
    public const int MaxGraceSeconds = 3600;
    public const int DefaultGraceSeconds = 30;

    /// <summary>Ranks in the whole job (WORLD_SIZE).</summary>
    public int WorldSize => NprocPerNode * Nnodes;

    /// <summary>The rank of this machine's <paramref name="localRank"/>-th process.</summary>
    public int GlobalRank(int localRank) => NodeRank * NprocPerNode + localRank;

    /// <summary>
    /// The variables of local rank <paramref name="localRank"/>: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK,
    /// LOCAL_RANK, LOCAL_WORLD_SIZE (as <see cref="DistributedEnvironment.ToVariables"/> writes them) and GROUP_RANK.
    /// </summary>
    public IReadOnlyDictionary<string, string> Variables(int localRank)
    {
        var env = new DistributedEnvironment(MasterAddress, MasterPort, WorldSize, GlobalRank(localRank), localRank, NprocPerNode);
        return new Dictionary<string, string>(env.ToVariables()) { ["GROUP_RANK"] = NodeRank.ToString(CultureInfo.InvariantCulture) };
    }

    /// <summary>OMP_NUM_THREADS of every rank when the launcher's environment does not set it: the cores shared out, at least 1.</summary>
    public int ThreadsPerRank => Math.Max(1, Environment.ProcessorCount / NprocPerNode);

    /// <summary>The plan of the raw option values; throws <see cref="ArgumentException"/> naming the option, the value and the allowed range.</summary>
    public static LaunchPlan Parse(string? nproc, string? nnodes, string? nodeRank, string? master, string? timeout, string? grace,
        string? logDirectory, bool exec, IReadOnlyList<string> command)
    {
        if (nproc is null) throw new ArgumentException($"--nproc-per-node is required: the number of ranks on this machine, in [1, {MaxNprocPerNode}]");
        var n = Integer("--nproc-per-node", nproc, 1, MaxNprocPerNode, "");
        var m = nnodes is null ? 1 : Integer("--nnodes", nnodes, 1, MaxNnodes, "");
        var r = nodeRank is null ? 0 : Integer("--node-rank", nodeRank, 0, m - 1, $"[0, {m}) for --nnodes {m}");
        if (master is null && m > 1) throw new ArgumentException($"--master HOST:PORT is required when --nnodes is {m} (> 1): the machine of --node-rank 0 and a free port there");
        var (host, port) = master is null ? (DistributedEnvironment.LoopbackAddress, DistributedEnvironment.DefaultMasterPort) : HostAndPort(master);
        TimeSpan? limit = timeout is null ? null : TimeSpan.FromSeconds(Integer("--timeout", timeout, 1, MaxTimeoutSeconds, "", " seconds"));
        var graceTime = TimeSpan.FromSeconds(grace is null ? DefaultGraceSeconds : Integer("--grace", grace, 0, MaxGraceSeconds, "", " seconds"));
        if (command.Count == 0 || string.IsNullOrWhiteSpace(command[0]))
            throw new ArgumentException("give the command after --, e.g. relic launch --nproc-per-node 2 -- pretrain --preset fashion-mnist (or --exec -- PROGRAM ARGS)");
        return new LaunchPlan(n, m, r, host, port, limit, graceTime, logDirectory, exec, [.. command]);
    }

    /// <summary><c>HOST:PORT</c> or <c>[IPV6]:PORT</c>.</summary>
    private static (string Host, int Port) HostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon] : "";
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host.Length == 0 || host.Any(char.IsWhiteSpace) || (host.Contains(':') && !text.StartsWith('[')) || colon == text.Length - 1)
            throw new ArgumentException($"--master must be HOST:PORT (port in [1, 65535]), got '{text}'");
        var port = Integer("--master port", text[(colon + 1)..], 1, 65535, "", suffix: $" (in '{text}')");
        return (host, port);
    }

    private static int Integer(string option, string text, int min, int max, string range, string unit = "", string suffix = "")
    {
        if (range.Length == 0) range = $"[{min}, {max}]";
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"{option} must be an integer in {range}{unit}, got '{text}'{suffix}");
        return value >= min && value <= max ? value : throw new ArgumentException($"{option} must be in {range}{unit}, got {value}{suffix}");
    }
}
