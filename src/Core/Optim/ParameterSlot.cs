namespace ReLICv2.Optim;

/// <summary>The per-parameter state of an optimiser: named buffers (outside tensor scopes) and the number of updates applied.</summary>
public sealed class ParameterSlot
{
    private readonly SortedDictionary<string, Tensor> buffers = new(StringComparer.Ordinal);

    /// <summary>Number of updates this parameter has received (PyTorch's per-parameter <c>step</c>).</summary>
    public long Steps { get; internal set; }

    /// <summary>The buffers by name (e.g. <c>momentum_buffer</c>, <c>exp_avg</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => buffers;

    /// <summary>The buffer <paramref name="name"/>, or null before it is first set.</summary>
    public Tensor? Get(string name) => buffers.GetValueOrDefault(name);

    /// <summary>Stores <paramref name="value"/> as buffer <paramref name="name"/> (taken out of tensor scopes; a previous buffer is freed).</summary>
    public Tensor Set(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        value.DetachFromScope();
        if (buffers.TryGetValue(name, out var old) && !ReferenceEquals(old, value)) old.Dispose();
        buffers[name] = value;
        return value;
    }

    internal void Clear()
    {
        foreach (var t in buffers.Values) t.Dispose();
        buffers.Clear();
        Steps = 0;
    }
}
