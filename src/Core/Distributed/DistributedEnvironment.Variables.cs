using System.Globalization;
using System.Text.RegularExpressions;

namespace ReLICv2.Distributed;

/// <summary>Reading a <see cref="DistributedEnvironment"/> from (and writing it to) environment variables.</summary>
public sealed partial record DistributedEnvironment
{
    /// <summary>The TCP store's port when MASTER_PORT is not set (torchrun's default).</summary>
    public const int DefaultMasterPort = 29500;

    /// <summary>The rendezvous address of a one-rank job when MASTER_ADDR is not set.</summary>
    public const string LoopbackAddress = "127.0.0.1";

    /// <summary>
    /// The environment a launcher describes in <paramref name="variables"/> (null: this process's environment), or null
    /// when none does (a single process). A variable set to the empty string counts as not set.
    /// <list type="bullet">
    /// <item>torchrun style (<c>relic launch</c>, torchrun): WORLD_SIZE and RANK, both or neither; LOCAL_WORLD_SIZE
    /// (default WORLD_SIZE) and LOCAL_RANK (default RANK mod LOCAL_WORLD_SIZE); MASTER_PORT (default
    /// <see cref="DefaultMasterPort"/>); MASTER_ADDR, required when WORLD_SIZE &gt; 1 (default
    /// <see cref="LoopbackAddress"/> for one rank).</item>
    /// <item>SLURM, read only when WORLD_SIZE and RANK are both absent and SLURM_PROCID and SLURM_NTASKS are both set:
    /// rank SLURM_PROCID, world size SLURM_NTASKS, local rank SLURM_LOCALID; local world size SLURM_NTASKS_PER_NODE,
    /// else this node's entry of SLURM_TASKS_PER_NODE (<c>4(x2),3</c>; the entry of SLURM_NODEID, the first when it is
    /// absent); MASTER_ADDR, else the first host of SLURM_JOB_NODELIST or SLURM_NODELIST (forms <c>node01</c>,
    /// <c>a,b</c>, <c>node[01-04]</c>, <c>node[01,03-05]</c>); MASTER_PORT as above.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A variable is malformed or out of range, or one that is required is missing; the message names the variable, its
    /// value and the allowed range.
    /// </exception>
    public static DistributedEnvironment? FromEnvironment(IReadOnlyDictionary<string, string?>? variables = null)
    {
        Func<string, string?> raw = variables is null ? Environment.GetEnvironmentVariable : name => variables.GetValueOrDefault(name);
        string? Get(string name) => raw(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var (worldText, rankText) = (Get("WORLD_SIZE"), Get("RANK"));
        if (worldText is not null || rankText is not null)
        {
            if (worldText is null) throw Error($"WORLD_SIZE is not set but RANK={rankText} is; a launcher sets both (WORLD_SIZE in [1, {int.MaxValue}])");
            var world = Integer("WORLD_SIZE", worldText, 1, int.MaxValue, $"[1, {int.MaxValue}]");
            if (rankText is null) throw Error($"RANK is not set but WORLD_SIZE={world} is; a launcher sets both (RANK in [0, {world}))");
            var rank = Integer("RANK", rankText, 0, world - 1, $"[0, {world}) (WORLD_SIZE={world})");
            var (localRank, localWorld) = Local("LOCAL_RANK", Get("LOCAL_RANK"), "LOCAL_WORLD_SIZE", Get("LOCAL_WORLD_SIZE"), "WORLD_SIZE", world);
            var address = Get("MASTER_ADDR") ?? (world == 1 ? LoopbackAddress
                : throw Error($"MASTER_ADDR is not set; it is required when WORLD_SIZE={world} > 1 (the host name or address of rank 0)"));
            return new DistributedEnvironment(address, Port(Get("MASTER_PORT")), world, rank, localRank, localWorld);
        }

        var (procText, tasksText) = (Get("SLURM_PROCID"), Get("SLURM_NTASKS"));
        if (procText is null || tasksText is null) return null;
        var tasks = Integer("SLURM_NTASKS", tasksText, 1, int.MaxValue, $"[1, {int.MaxValue}]");
        var proc = Integer("SLURM_PROCID", procText, 0, tasks - 1, $"[0, {tasks}) (SLURM_NTASKS={tasks})");
        var (perNodeName, perNodeText) = Get("SLURM_NTASKS_PER_NODE") is { } perNode ? ("SLURM_NTASKS_PER_NODE", perNode)
            : Get("SLURM_TASKS_PER_NODE") is { } list ? ("SLURM_TASKS_PER_NODE", TasksOfNode(list, Get("SLURM_NODEID"))) : ("SLURM_NTASKS_PER_NODE", null);
        var (slurmLocalRank, slurmLocalWorld) = Local("SLURM_LOCALID", Get("SLURM_LOCALID"), perNodeName, perNodeText, "SLURM_NTASKS", tasks);
        var master = Get("MASTER_ADDR");
        if (master is null)
        {
            var (listName, nodes) = Get("SLURM_JOB_NODELIST") is { } jobNodes ? ("SLURM_JOB_NODELIST", jobNodes) : ("SLURM_NODELIST", Get("SLURM_NODELIST"));
            master = nodes is not null ? FirstHost(listName, nodes)
                : tasks == 1 ? LoopbackAddress
                : throw Error($"MASTER_ADDR is not set and neither is SLURM_JOB_NODELIST or SLURM_NODELIST; one is required when SLURM_NTASKS={tasks} > 1");
        }
        return new DistributedEnvironment(master, Port(Get("MASTER_PORT")), tasks, proc, slurmLocalRank, slurmLocalWorld);
    }

    /// <summary>
    /// The torchrun-style variables that describe this environment: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK,
    /// LOCAL_RANK and LOCAL_WORLD_SIZE (<see cref="FromEnvironment"/> reads them back to an equal value).
    /// </summary>
    public IReadOnlyDictionary<string, string> ToVariables() => new Dictionary<string, string>
    {
        ["MASTER_ADDR"] = MasterAddress,
        ["MASTER_PORT"] = MasterPort.ToString(CultureInfo.InvariantCulture),
        ["WORLD_SIZE"] = WorldSize.ToString(CultureInfo.InvariantCulture),
        ["RANK"] = Rank.ToString(CultureInfo.InvariantCulture),
        ["LOCAL_RANK"] = LocalRank.ToString(CultureInfo.InvariantCulture),
        ["LOCAL_WORLD_SIZE"] = LocalWorldSize.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Local rank and local world size (-1: not set, the constructor's defaults) checked against each other and the world size.</summary>
    private static (int Rank, int World) Local(string rankName, string? rankText, string worldName, string? worldText, string totalName, int total)
    {
        var world = worldText is null ? -1 : Integer(worldName, worldText, 1, total, $"[1, {total}] ({totalName}={total})");
        var rank = rankText is null ? -1
            : world == -1 ? Integer(rankName, rankText, 0, total - 1, $"[0, {total}) ({totalName}={total}, {worldName} not set)")
            : Integer(rankName, rankText, 0, world - 1, $"[0, {world}) ({worldName}={world})");
        return (rank, world);
    }

    private static int Port(string? text) => text is null ? DefaultMasterPort : Integer("MASTER_PORT", text, 1, 65535, "[1, 65535]");

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or an error naming the variable, its value and the range.</summary>
    private static int Integer(string name, string text, int min, int max, string range)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Error($"{name}='{text}' is not an integer; it must be in {range}");
        return value >= min && value <= max ? value : throw Error($"{name}={value} is out of range; it must be in {range}");
    }

    /// <summary>This node's number of tasks in SLURM's <c>4(x2),3</c> form: the entry of node <paramref name="nodeIdText"/> (the first when null).</summary>
    private static string TasksOfNode(string list, string? nodeIdText)
    {
        var counts = new List<(int Tasks, int Nodes)>();
        foreach (var entry in list.Split(','))
        {
            var m = TasksPerNodeEntry().Match(entry.Trim());
            if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || !int.TryParse(m.Groups[2].Success ? m.Groups[2].Value : "1", NumberStyles.None, CultureInfo.InvariantCulture, out var repeat) || repeat < 1)
                throw Error($"SLURM_TASKS_PER_NODE='{list}' is not a tasks-per-node list; allowed forms: 4, 4(x2), 4(x2),3");
            counts.Add((n, repeat));
        }
        var nodes = counts.Sum(c => (long)c.Nodes);
        var node = nodeIdText is null ? 0
            : Integer("SLURM_NODEID", nodeIdText, 0, (int)Math.Min(nodes - 1, int.MaxValue), $"[0, {nodes}) (the nodes of SLURM_TASKS_PER_NODE='{list}')");
        foreach (var (tasks, count) in counts)
        {
            if (node < count) return tasks.ToString(CultureInfo.InvariantCulture);
            node -= count;
        }
        throw new InvalidOperationException("unreachable: SLURM_NODEID was checked against the node count");
    }

    /// <summary>
    /// The first host of a SLURM host list: its first top-level item with every bracket group replaced by the group's
    /// first number, zero padding kept (<c>node[01-04],gpu1</c> gives <c>node01</c>, <c>rack[2-3]-n[5,7]</c> gives <c>rack2-n5</c>).
    /// </summary>
    private static string FirstHost(string name, string list)
    {
        ArgumentException Malformed() => Error($"{name}='{list}' is not a host list; allowed forms: node01, a,b, node[01-04], node[01,03-05]");
        var host = new System.Text.StringBuilder();
        var i = 0;
        while (i < list.Length && list[i] != ',')
        {
            var c = list[i];
            if (c == ']' || char.IsWhiteSpace(c)) throw Malformed();
            if (c != '[')
            {
                host.Append(c);
                i++;
                continue;
            }
            var close = list.IndexOf(']', i + 1);
            if (close < 0) throw Malformed();
            var group = list[(i + 1)..close].Split(',');
            if (group.Any(g => !NodeRange().IsMatch(g))) throw Malformed();
            host.Append(group[0].Split('-')[0]);
            i = close + 1;
        }
        return host.Length > 0 ? host.ToString() : throw Malformed();
    }

    private static ArgumentException Error(string message) => new(message, "variables");

    [GeneratedRegex(@"^([0-9]+)(?:\(x([0-9]+)\))?$")]
    private static partial Regex TasksPerNodeEntry();

    [GeneratedRegex(@"^[0-9]+(?:-[0-9]+)?$")]
    private static partial Regex NodeRange();
}
