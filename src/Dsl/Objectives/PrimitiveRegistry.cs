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

    /// <summary>
    /// Registers <paramref name="primitive"/> under its name and returns it; registering the same primitive again does
    /// nothing. With <paramref name="replace"/> a new definition takes the name of an earlier one — what re-running a cell of
    /// an F# Interactive session does (the Prelude's <c>primitive</c> replaces); objectives built on the earlier definition
    /// still compile but no longer write JSON, whose name now reads back as the new one.
    /// </summary>
    /// <exception cref="ArgumentException">Another primitive is already registered under this name and <paramref name="replace"/> is false.</exception>
    public static Primitive Register(Primitive primitive, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        if (replace)
        {
            Known[primitive.Name] = primitive;
            return primitive;
        }
        var bound = Known.GetOrAdd(primitive.Name, primitive);
        if (!ReferenceEquals(bound, primitive))
            throw new ArgumentException($"PrimitiveRegistry: the name '{primitive.Name}' is already registered to another primitive ({bound}); choose another name, or pass replace: true to redefine it.", nameof(primitive));
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
