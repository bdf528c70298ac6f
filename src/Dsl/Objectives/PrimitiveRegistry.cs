using System.Collections.Concurrent;

namespace ReLICv2.Objectives;

/// <summary>
/// The user-defined <see cref="Primitive"/>s known by name, so that <see cref="ObjectiveJson"/> (and experiment JSON,
/// which embeds it) can write an application as <c>{"op":"primitiveObjective","primitive":"uniformity",…}</c> and read it
/// back to the same primitive. A name is bound once per process.
/// </summary>
public static class PrimitiveRegistry
{
    private static readonly ConcurrentDictionary<string, Primitive> Known = new(StringComparer.Ordinal);

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. Known.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers <paramref name="primitive"/> under its name and returns it; registering the same primitive again does nothing.</summary>
    /// <exception cref="ArgumentException">Another primitive is already registered under this name.</exception>
    public static Primitive Register(Primitive primitive)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        var bound = Known.GetOrAdd(primitive.Name, primitive);
        if (!ReferenceEquals(bound, primitive))
            throw new ArgumentException($"PrimitiveRegistry: the name '{primitive.Name}' is already registered to another primitive ({bound}); choose another name.", nameof(primitive));
        return primitive;
    }

    /// <summary>True when <paramref name="primitive"/> itself is registered under its name.</summary>
    public static bool IsRegistered(Primitive primitive) =>
        primitive is not null && Known.TryGetValue(primitive.Name, out var bound) && ReferenceEquals(bound, primitive);

    /// <summary>The primitive registered under <paramref name="name"/>, if any.</summary>
    internal static bool IsRegisteredName(string name, out Primitive primitive) => Known.TryGetValue(name, out primitive!);

    /// <summary>The primitive registered under <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No primitive has this name; the message lists the registered ones.</exception>
    public static Primitive Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Known.TryGetValue(name, out var primitive)
            ? primitive
            : throw new KeyNotFoundException($"PrimitiveRegistry: no primitive named '{name}' is registered; registered: {(Known.IsEmpty ? "none" : string.Join(", ", Names))}.");
    }
}
