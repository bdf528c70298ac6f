namespace ReLICv2.Distributed;

/// <summary>
/// Where this process sits in a data-parallel job: the rendezvous address (the TCP store of rank 0), the number of
/// ranks, this rank, and its place on its own machine. Validated at construction; <see cref="FromEnvironment"/> reads
/// it from the variables a launcher sets (<c>relic launch</c>, torchrun or SLURM's srun).
/// </summary>
public sealed partial record DistributedEnvironment
{
    /// <exception cref="ArgumentException">A field is outside its allowed range (the message names it, its value and the range).</exception>
    public DistributedEnvironment(string masterAddress, int masterPort, int worldSize, int rank, int localRank = -1, int localWorldSize = -1)
    {
        MasterAddress = !string.IsNullOrWhiteSpace(masterAddress) ? masterAddress
            : throw new ArgumentException("DistributedEnvironment.MasterAddress (MASTER_ADDR) must be a host name or an address", nameof(masterAddress));
        MasterPort = masterPort is >= 1 and <= 65535 ? masterPort
            : throw new ArgumentOutOfRangeException(nameof(masterPort), masterPort, "DistributedEnvironment.MasterPort (MASTER_PORT) must be in [1, 65535]");
        WorldSize = worldSize >= 1 ? worldSize
            : throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "DistributedEnvironment.WorldSize (WORLD_SIZE) must be >= 1");
        Rank = rank >= 0 && rank < worldSize ? rank
            : throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DistributedEnvironment.Rank (RANK) must be in [0, {worldSize}) for WORLD_SIZE {worldSize}");
        LocalWorldSize = localWorldSize == -1 ? worldSize
            : localWorldSize >= 1 && localWorldSize <= worldSize ? localWorldSize
            : throw new ArgumentOutOfRangeException(nameof(localWorldSize), localWorldSize, $"DistributedEnvironment.LocalWorldSize (LOCAL_WORLD_SIZE) must be in [1, {worldSize}]");
        LocalRank = localRank == -1 ? rank % LocalWorldSize
            : localRank >= 0 && localRank < LocalWorldSize ? localRank
            : throw new ArgumentOutOfRangeException(nameof(localRank), localRank, $"DistributedEnvironment.LocalRank (LOCAL_RANK) must be in [0, {LocalWorldSize})");
    }

    /// <summary>Host name or address of rank 0, where the TCP store listens (MASTER_ADDR).</summary>
    public string MasterAddress { get; }

    /// <summary>Port of the TCP store (MASTER_PORT).</summary>
    public int MasterPort { get; }

    /// <summary>Number of ranks in the job (WORLD_SIZE).</summary>
    public int WorldSize { get; }

    /// <summary>This process's rank, in [0, WorldSize) (RANK).</summary>
    public int Rank { get; }

    /// <summary>This process's rank among the ranks of its machine (LOCAL_RANK); selects cuda:LOCAL_RANK.</summary>
    public int LocalRank { get; }

    /// <summary>Ranks on this machine (LOCAL_WORLD_SIZE); intra-op threads default to cores ÷ this.</summary>
    public int LocalWorldSize { get; }

    /// <summary>True for rank 0, which hosts the store and alone writes checkpoints, metrics and the progress display.</summary>
    public bool IsMaster => Rank == 0;
}
