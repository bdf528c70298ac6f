using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ReLICv2.Nn;

/// <summary>
/// An ordered map from dotted names (PyTorch state-dict keys such as <c>layer1.0.bn1.running_var</c>) to tensors.
/// <see cref="Module.StateDict"/> returns one that borrows the module's own tensors (disposing it does nothing to them);
/// a state dict read from a file owns its tensors and frees them when disposed.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly List<string> keys = [];
    private readonly Dictionary<string, Tensor> map = new(StringComparer.Ordinal);

    /// <summary>Builds a state dict from entries in order; names must be unique and non-empty.</summary>
    /// <param name="entries">The named tensors, in order.</param>
    /// <param name="ownsTensors">Whether disposing this state dict disposes the tensors.</param>
    public StateDict(IEnumerable<NamedTensor> entries, bool ownsTensors = false)
    {
        ArgumentNullException.ThrowIfNull(entries);
        OwnsTensors = ownsTensors;
        foreach (var e in entries) Add(e.Name, e.Tensor);
    }

    /// <summary>Whether <see cref="Dispose"/> frees the tensors.</summary>
    public bool OwnsTensors { get; }

    public int Count => keys.Count;

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<string> Keys => keys;

    public IEnumerable<Tensor> Values => keys.Select(k => map[k]);

    public Tensor this[string key] => map.TryGetValue(key, out var t) ? t
        : throw new KeyNotFoundException($"StateDict has no key '{key}' (it has {Count} keys{(Count > 0 ? ", e.g. '" + keys[0] + "'" : "")})");

    public bool ContainsKey(string key) => map.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => map.TryGetValue(key, out value);

    /// <summary>The entries in order, as named tensors.</summary>
    public IReadOnlyList<NamedTensor> Entries => keys.Select(k => new NamedTensor(k, map[k])).ToList();

    /// <summary>Total number of elements over all tensors.</summary>
    public long NumEl => map.Values.Sum(t => t.NumEl);

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        keys.Select(k => new KeyValuePair<string, Tensor>(k, map[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (!OwnsTensors) return;
        foreach (var t in map.Values) t.Dispose();
    }

    private void Add(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("StateDict: a key must be a non-empty string", nameof(name));
        if (!map.TryAdd(name, tensor)) throw new ArgumentException($"StateDict: duplicate key '{name}'", nameof(name));
        keys.Add(name);
    }
}
