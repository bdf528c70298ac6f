using System.Runtime.ExceptionServices;

namespace ReLICv2.Training;

/// <summary>
/// A fixed set of long-lived threads that run one function per shard and wait for all of them (fork-join). Each thread
/// sets its own intra-op thread count once (<see cref="Torch.SetThreadNumThreads"/>, default 1), so W shards on W cores
/// run side by side instead of sharing every operator's parallel region: on small convolutions two single-threaded
/// shards finish sooner than one two-threaded batch. Torch scopes and grad mode are per thread, so a shard function
/// opens its own scope and returns managed values or tensors it has detached from that scope. The first exception of a
/// shard (in shard order) is re-thrown on the caller's thread after every shard has finished.
/// </summary>
public sealed class ShardWorkers : IDisposable
{
    private readonly Thread[] threads;
    private readonly SemaphoreSlim[] start;
    private readonly CountdownEvent done;
    private Func<int, object?>? work;
    private object?[] results = [];
    private Exception?[] errors = [];
    private volatile bool stopping;
    private bool disposed;

    /// <param name="count">Number of worker threads (shards per call), 1-64.</param>
    /// <param name="intraOpThreads">Intra-op threads of each worker, 1-64.</param>
    public ShardWorkers(int count, int intraOpThreads = 1)
    {
        if (count is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(count), count, "ShardWorkers: count must be in [1, 64]");
        if (intraOpThreads is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "ShardWorkers: intraOpThreads must be in [1, 64]");
        Count = count;
        IntraOpThreads = intraOpThreads;
        start = [.. Enumerable.Range(0, count).Select(_ => new SemaphoreSlim(0))];
        done = new CountdownEvent(count);
        threads = [.. Enumerable.Range(0, count).Select(i => new Thread(() => Loop(i)) { IsBackground = true, Name = $"relic-shard-{i}" })];
        foreach (var t in threads) t.Start();
    }

    public int Count { get; }

    public int IntraOpThreads { get; }

    /// <summary>Runs <paramref name="shard"/>(0 … Count − 1), one per worker thread, and returns the results in shard order.</summary>
    public T[] Run<T>(Func<int, T> shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ObjectDisposedException.ThrowIf(disposed, this);
        results = new object?[Count];
        errors = new Exception?[Count];
        work = i => shard(i);
        done.Reset();
        foreach (var s in start) s.Release();
        done.Wait();
        work = null;
        if (errors.FirstOrDefault(e => e is not null) is { } error) ExceptionDispatchInfo.Capture(error).Throw();
        return [.. results.Select(r => (T)r!)];
    }

    private void Loop(int index)
    {
        Torch.SetThreadNumThreads(IntraOpThreads);
        while (true)
        {
            start[index].Wait();
            if (stopping) return;
            try
            {
                results[index] = work!(index);
            }
            catch (Exception e)
            {
                errors[index] = e;
            }
            finally
            {
                done.Signal();
            }
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stopping = true;
        foreach (var s in start) s.Release();
        foreach (var t in threads) t.Join();
        foreach (var s in start) s.Dispose();
        done.Dispose();
    }
}
