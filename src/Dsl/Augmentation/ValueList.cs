using System.Collections;

namespace ReLICv2.Augmentation;

/// <summary>
/// An immutable list with structural equality and readable printing, so that records holding lists (chains, view
/// sets, sampled parameters) compare and print by their elements.
/// </summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] items;

    /// <summary>A copy of <paramref name="items"/>.</summary>
    public ValueList(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        this.items = items.ToArray();
    }

    /// <summary>The empty list.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    /// <summary>Wraps <paramref name="items"/> unless it already is a <see cref="ValueList{T}"/>.</summary>
    public static ValueList<T> From(IEnumerable<T> items) => items as ValueList<T> ?? new ValueList<T>(items);

    /// <inheritdoc />
    public T this[int index] => items[index];

    /// <inheritdoc />
    public int Count => items.Length;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <summary>Element-wise equality.</summary>
    public bool Equals(ValueList<T>? other) => other is not null && items.AsSpan().SequenceEqual(other.items, EqualityComparer<T>.Default);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in items) hash.Add(item);
        return hash.ToHashCode();
    }

    /// <summary>The elements in brackets, e.g. <c>[true, false]</c>.</summary>
    public override string ToString() =>
        "[" + string.Join(", ", items.Select(i => i switch
        {
            bool b => b ? "true" : "false",
            double d => d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
            _ => i?.ToString() ?? "null",
        })) + "]";
}
