using ReLICv2.Training;

namespace ReLICv2.Objectives;

/// <summary>
/// A <see cref="GlobalBatch"/> that gathers each raw embedding tensor of the loss (an element of the online or target
/// list) at most once, keyed by tensor reference, for all the terms and view pairs of one loss call. The gathered
/// [R·n, D] tensors are detached, checked for shape, and owned by this object until it is disposed (callers of
/// <see cref="Gather"/> must not dispose them). The order of the first requests is the order of the collective calls.
/// </summary>
internal sealed class GatherOnce : GlobalBatch, IDisposable
{
    private readonly GlobalBatch inner;
    private readonly Dictionary<Tensor, Tensor> gathered = new(ReferenceEqualityComparer.Instance);

    public GatherOnce(GlobalBatch inner)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).Rank, inner.WorldSize)
    {
        this.inner = inner;
    }

    /// <summary>Number of distinct tensors gathered so far.</summary>
    public int Count => gathered.Count;

    /// <inheritdoc />
    public override Tensor Gather(Tensor local)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (gathered.TryGetValue(local, out var cached)) return cached;
        var all = inner.Gather(local);
        Tensor value;
        try
        {
            var (n, expected) = (local.Size(0), local.Size(0) * WorldSize);
            if (all.Rank != 2 || all.Size(0) != expected || all.Size(1) != local.Size(1))
                throw new InvalidOperationException(
                    $"GlobalBatch.Gather: for local rows [{string.Join(", ", local.Shape)}] on {WorldSize} ranks the result must be [{expected}, {local.Size(1)}] (R·n = {WorldSize}·{n} rows in rank order); got [{string.Join(", ", all.Shape)}].");
            value = all.Detach().DetachFromScope();
        }
        finally
        {
            all.Dispose();
        }
        gathered[local] = value;
        return value;
    }

    public void Dispose()
    {
        foreach (var t in gathered.Values) t.Dispose();
        gathered.Clear();
    }
}
