using System.Net;
using System.Text;

namespace ReLICv2.Distributed;

/// <summary>
/// The ranks of a data-parallel job joined through libtorch's c10d (docs/distributed.md): rank 0 hosts a TCP store at
/// MASTER_ADDR:MASTER_PORT, every rank registers its rank and world size there (a rank started twice, or ranks that
/// disagree on the world size, are refused with the ranks and values named), then joins a Gloo process group (NCCL on a
/// CUDA libtorch). Collectives: all-reduce, broadcast, all-gather and barrier, asynchronously where it pays
/// (<see cref="CollectiveWork"/>), and an all-reduce that autograd differentiates (synchronised batch norm). Every
/// failure — a port in use, an unreachable master, a rank that died, a time-out — is a <see cref="TorchException"/>
/// naming this rank and the collective, within <see cref="ProcessGroupOptions.Timeout"/>.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private readonly NativeObject store;
    private readonly NativeObject group;
    private readonly List<ProcessGroup> children = [];
    private int splits;

    private ProcessGroup(DistributedEnvironment environment, ProcessGroupOptions options, NativeObject store, NativeObject group, string name)
    {
        Environment = environment;
        Options = options;
        this.store = store;
        this.group = group;
        Name = name;
    }

    /// <summary>Whether this build of the shim has the Gloo backend (it needs Debian's libgloo-dev at build time).</summary>
    public static bool GlooAvailable => Backends().Gloo;

    /// <summary>Whether this build of the shim has the NCCL backend (a CUDA libtorch with NCCL).</summary>
    public static bool NcclAvailable => Backends().Nccl;

    private static (bool Gloo, bool Nccl) Backends()
    {
        TorchException.Check(Native.rs_dist_backends(out var gloo, out var nccl));
        return (gloo != 0, nccl != 0);
    }

    public DistributedEnvironment Environment { get; }

    public ProcessGroupOptions Options { get; }

    /// <summary>"default" for the group made by <see cref="Create"/>, else the name given to <see cref="Split"/>.</summary>
    public string Name { get; }

    public int Rank => Environment.Rank;

    public int WorldSize => Environment.WorldSize;

    /// <summary>
    /// Joins the job <paramref name="environment"/> describes: rank 0 opens the store, the others connect to it (retrying
    /// until the time-out), each checks that no other process claimed its rank and that every rank agrees on the world
    /// size, then all join the process group. Returns once every rank has joined.
    /// </summary>
    /// <exception cref="TorchException">The store cannot be opened or reached, ranks disagree, or the group cannot form in time.</exception>
    public static ProcessGroup Create(DistributedEnvironment environment, ProcessGroupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        options ??= new ProcessGroupOptions();
        var (rank, size) = (environment.Rank, environment.WorldSize);
        var ms = (long)options.Timeout.TotalMilliseconds;
        var where = $"rank {rank}/{size}: rendezvous at {environment.MasterAddress}:{environment.MasterPort}";
        NativeObject? root = null, store = null;
        try
        {
            root = Open(() => (Native.rs_store_tcp(environment.MasterAddress, environment.MasterPort, size, rank == 0 ? 1 : 0, ms, out var p), p), Native.rs_store_free, where);
            store = Open(() => (Native.rs_store_prefix("relic/", root.Get("store"), out var p), p), Native.rs_store_free, where);
            root.Dispose();
            CheckMembership(store, rank, size, where);
            var hostname = options.NetworkInterface is null ? options.Hostname ?? LoopbackOf(environment.MasterAddress) : null;
            var pgStore = Open(() => (Native.rs_store_prefix("pg/default/", store.Get("store"), out var p), p), Native.rs_store_free, where);
            using (pgStore)
            {
                var group = options.Backend == ProcessGroupBackend.Nccl
                    ? Open(() => (Native.rs_pg_nccl(pgStore.Get("store"), rank, size, ms, out var p), p), Native.rs_pg_free, where)
                    : Open(() => (Native.rs_pg_gloo(pgStore.Get("store"), rank, size, hostname, options.NetworkInterface, ms, out var p), p), Native.rs_pg_free, where);
                return new ProcessGroup(environment, options, store, group, "default");
            }
        }
        catch
        {
            root?.Dispose();
            store?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The job of the environment variables (<see cref="DistributedEnvironment.FromEnvironment"/>, options from
    /// <see cref="ProcessGroupOptions.FromEnvironment"/>), or null when none is set (a single process).
    /// </summary>
    public static ProcessGroup? FromEnvironment(ProcessGroupOptions? options = null) =>
        DistributedEnvironment.FromEnvironment() is { } environment ? Create(environment, options ?? ProcessGroupOptions.FromEnvironment()) : null;

    /// <summary>
    /// A second group of the same ranks, under its own store prefix: its collectives are ordered independently of this
    /// group's (synchronised batch norm uses one, so that its all-reduces never interleave with gradient buckets).
    /// Collective: every rank must make the same splits in the same order (the n-th split is named name.n). Disposed with
    /// this group.
    /// </summary>
    public ProcessGroup Split(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        name = $"{name}.{splits++}";
        var where = $"rank {Rank}/{WorldSize}: creating group '{name}'";
        var ms = (long)Options.Timeout.TotalMilliseconds;
        var hostname = Options.NetworkInterface is null ? Options.Hostname ?? LoopbackOf(Environment.MasterAddress) : null;
        using var prefixed = Open(() => (Native.rs_store_prefix($"pg/{name}/", store.Get("store"), out var p), p), Native.rs_store_free, where);
        var child = Options.Backend == ProcessGroupBackend.Nccl
            ? Open(() => (Native.rs_pg_nccl(prefixed.Get("store"), Rank, WorldSize, ms, out var p), p), Native.rs_pg_free, where)
            : Open(() => (Native.rs_pg_gloo(prefixed.Get("store"), Rank, WorldSize, hostname, Options.NetworkInterface, ms, out var p), p), Native.rs_pg_free, where);
        var split = new ProcessGroup(Environment, Options, Open(() => (Native.rs_store_prefix($"split/{name}/", store.Get("store"), out var p), p), Native.rs_store_free, where), child, name);
        children.Add(split);
        return split;
    }

    /// <summary>Starts an all-reduce of each tensor in place (same shapes and dtypes on every rank).</summary>
    public unsafe CollectiveWork AllReduceAsync(IReadOnlyList<Tensor> tensors, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var pinned = new Torch.PinnedHandles(tensors);
        fixed (IntPtr* p = pinned.Pointers)
        {
            TorchException.Check(Native.rs_pg_allreduce(group.Get(nameof(ProcessGroup)), p, tensors.Count, (int)op, out var work));
            return new CollectiveWork(work, tensors);
        }
    }

    /// <summary>All-reduces <paramref name="tensor"/> in place and waits.</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        using var work = AllReduceAsync([tensor], op);
        work.Wait();
    }

    /// <summary>Starts a broadcast of each tensor in place from <paramref name="root"/>.</summary>
    public unsafe CollectiveWork BroadcastAsync(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var pinned = new Torch.PinnedHandles(tensors);
        fixed (IntPtr* p = pinned.Pointers)
        {
            TorchException.Check(Native.rs_pg_broadcast(group.Get(nameof(ProcessGroup)), p, tensors.Count, root, out var work));
            return new CollectiveWork(work, tensors);
        }
    }

    /// <summary>Overwrites <paramref name="tensors"/> with rank <paramref name="root"/>'s values and waits.</summary>
    public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        using var work = BroadcastAsync(tensors, root);
        work.Wait();
    }

    /// <summary>Every rank's <paramref name="input"/> (equal shapes) concatenated along dimension 0 in rank order, without autograd.</summary>
    public Tensor AllGather(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Wrap(Native.rs_pg_allgather(group.Get(nameof(ProcessGroup)), input.H, out var r), r);
    }

    /// <summary>Returns once every rank has called it.</summary>
    public void Barrier() => TorchException.Check(Native.rs_pg_barrier(group.Get(nameof(ProcessGroup))));

    /// <summary>
    /// Σ over ranks of <paramref name="x"/>, differentiable: its backward all-reduces the incoming gradients, which is the
    /// gradient of Σ_r L_r when every rank's loss depends on the sum (synchronised batch-norm statistics).
    /// </summary>
    public Tensor AllReduceSumWithGradient(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Tensor.Wrap(Native.rs_pg_all_reduce_sum_autograd(group.Get(nameof(ProcessGroup)), x.H, out var r), r);
    }

    internal IntPtr Pointer => group.Get(nameof(ProcessGroup));

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> in this group's part of the job's store.</summary>
    public unsafe void StoreSet(string key, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* b = bytes)
            TorchException.Check(Native.rs_store_set(store.Get("store"), key, b, bytes.Length));
    }

    /// <summary>The value under <paramref name="key"/>, waiting for it up to the time-out.</summary>
    public string StoreGet(string key) => Get(store, key);

    public override string ToString() => $"ProcessGroup({Name}, rank {Rank}/{WorldSize}, {Options.Backend}, master {Environment.MasterAddress}:{Environment.MasterPort})";

    public void Dispose()
    {
        foreach (var child in children) child.Dispose();
        children.Clear();
        group.Dispose();
        store.Dispose();
    }

    private static NativeObject Open(Func<(int Status, IntPtr Pointer)> create, Action<IntPtr> free, string where)
    {
        var (status, pointer) = create();
        if (status != 0)
        {
            var error = TorchException.FromNative();
            throw new TorchException($"{where}: {error.Message}");
        }
        return new NativeObject(pointer, free);
    }

    private static unsafe string Get(NativeObject store, string key)
    {
        TorchException.Check(Native.rs_store_get(store.Get("store"), key, null, 0, out var length));
        var bytes = new byte[length];
        fixed (byte* b = bytes)
            TorchException.Check(Native.rs_store_get(store.Get("store"), key, b, length, out _));
        return Encoding.UTF8.GetString(bytes);
    }

    private static unsafe void CheckMembership(NativeObject store, int rank, int size, string where)
    {
        try
        {
            TorchException.Check(Native.rs_store_add(store.Get("store"), $"claim/{rank}", 1, out var claims));
            if (claims != 1)
                throw new TorchException($"{where}: rank {rank} was started {claims} times (RANK must be unique in [0, {size}))");
            var mine = Encoding.UTF8.GetBytes(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            fixed (byte* b = mine)
                TorchException.Check(Native.rs_store_set(store.Get("store"), $"world/{rank}", b, mine.Length));
            // Rank 0 checks everyone; the others check rank 0: a disagreement stops both sides, not only one.
            foreach (var other in rank == 0 ? Enumerable.Range(1, size - 1) : [0])
            {
                var theirs = Get(store, $"world/{other}");
                if (rank != 0) TorchException.Check(Native.rs_store_add(store.Get("store"), $"seen/{rank}", 1, out _));
                if (theirs == size.ToString(System.Globalization.CultureInfo.InvariantCulture)) continue;
                if (rank == 0)
                {
                    // Rank 0 hosts the store: keep it up until the other rank has read world/0 too, so that it fails with
                    // the same explanation rather than with a closed connection (bounded: a few seconds at most).
                    TorchException.Check(Native.rs_store_set_timeout(store.Get("store"), 5000));
                    try
                    {
                        Get(store, $"seen/{other}");
                    }
                    catch (TorchException)
                    {
                        // the other rank is gone already; the explanation below stands on its own
                    }
                }
                throw new TorchException($"{where}: this rank has WORLD_SIZE {size} but rank {other} has WORLD_SIZE {theirs}; every rank must be started with the same WORLD_SIZE");
            }
        }
        catch (TorchException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal))
        {
            throw new TorchException($"{where}: waiting for the other ranks: {e.Message}", e);
        }
    }

    private static string? LoopbackOf(string master) =>
        master == "localhost" ? "127.0.0.1" : IPAddress.TryParse(master, out var address) && IPAddress.IsLoopback(address) ? master : null;
}
