using System.Net;
using System.Net.Sockets;
using ReLICv2.Distributed;

namespace ReLICv2.Tests.Distributed;

/// <summary>
/// Runs the ranks of a job as threads of this process, each with its own process group over loopback TCP (the same
/// store, Gloo transport and collectives as separate processes; one process keeps the tests fast).
/// </summary>
internal static class Ranks
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static ProcessGroupOptions Options(double timeoutSeconds = 20) => new(TimeSpan.FromSeconds(timeoutSeconds));

    /// <summary>Runs <paramref name="body"/> on <paramref name="worldSize"/> threads, rank r on thread r, and returns the results by rank.</summary>
    public static T[] Run<T>(int worldSize, Func<ProcessGroup, T> body, double timeoutSeconds = 20, int? port = null)
    {
        var p = port ?? FreePort();
        var results = new T[worldSize];
        var errors = new Exception?[worldSize];
        var threads = Enumerable.Range(0, worldSize).Select(rank => new Thread(() =>
        {
            try
            {
                Torch.SetThreadNumThreads(1);
                using var group = ProcessGroup.Create(new DistributedEnvironment("127.0.0.1", p, worldSize, rank), Options(timeoutSeconds));
                results[rank] = body(group);
                group.Barrier();
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        }) { IsBackground = true, Name = $"rank {rank}" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromSeconds(timeoutSeconds * 3)))
                throw new TimeoutException($"a rank did not finish within {timeoutSeconds * 3} s");
        var failed = errors.Select((e, r) => (e, r)).Where(x => x.e is not null).ToList();
        if (failed.Count > 0)
            throw new AggregateException(string.Join("; ", failed.Select(f => $"rank {f.r}: {f.e!.Message}")), failed.Select(f => f.e!));
        return results;
    }
}
