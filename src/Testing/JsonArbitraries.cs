using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace ReLICv2.Testing;

/// <summary>
/// Generators of hostile variants of a JSON document (an experiment, a view set, an objective …) for
/// <see cref="JsonLaws.ReadsOrRefusesCleanly"/>: every field and array item replaced by a wrong-typed, out-of-range
/// or malformed value or removed, and the text cut at any byte or with any bit flipped. Shrinking moves towards the
/// first place in the document and the first hostile value (removal, a cut).
/// </summary>
public static class JsonArbitraries
{
    /// <summary>The values a field is replaced by: nulls, wrong types, extreme and non-finite numbers, unknown kinds.</summary>
    public static IReadOnlyList<string> HostileValues { get; } =
        ["null", "-1", "0", "1.5", "1e300", "-1e300", "9223372036854775807", "18446744073709551616", "\"x\"", "\"\"", "true", "[]", "{}", "[1,2]",
         "{\"op\":\"nope\"}", "{\"kind\":\"nope\"}", "\"NaN\"", "\"-Infinity\"", "[null]", "{\"a\":null}"];

    /// <summary>The document with one field or array item replaced by a <see cref="HostileValues"/> entry or removed.</summary>
    public static Arbitrary<JsonMutation> FieldMutations(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var count = Places(JsonNode.Parse(json) ?? throw new ArgumentException("JsonArbitraries: the document is null", nameof(json))).Count;
        if (count == 0) throw new ArgumentException("JsonArbitraries: the document has no field or array item to change", nameof(json));
        var gen = from at in Gen.Choose(0, count - 1) from value in Gen.Choose(-1, HostileValues.Count - 1) select Field(json, at, value);
        return Arb.From(gen, m => Shrink(m, -1).Select(t => Field(json, t.Position, t.Variant)));
    }

    /// <summary>The document's UTF-8 text cut short at any byte, or with any one bit flipped.</summary>
    public static Arbitrary<JsonMutation> ByteMutations(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        if (bytes.Length == 0) throw new ArgumentException("JsonArbitraries: the document is empty", nameof(json));
        var gen = from at in Gen.Choose(0, bytes.Length - 1) from bit in Gen.Choose(-1, 7) select Byte(bytes, at, bit);
        return Arb.From(gen, m => Shrink(m, -1).Select(t => Byte(bytes, t.Position, t.Variant)));
    }

    private static IEnumerable<(int Position, int Variant)> Shrink(JsonMutation m, int firstVariant) =>
        Shrinks.Toward(m.Position, 0).Select(p => (p, m.Variant)).Concat(Shrinks.Toward(m.Variant, firstVariant).Select(v => (m.Position, v)));

    private static JsonMutation Field(string json, int at, int value)
    {
        var root = JsonNode.Parse(json)!;
        var (parent, name, index) = Places(root)[at];
        var path = name is null ? $"{parent.GetPath()}[{index}]" : $"{parent.GetPath()}.{name}";
        if (value < 0 && parent is JsonObject o) o.Remove(name!);
        else if (value < 0) ((JsonArray)parent).RemoveAt(index);
        else if (parent is JsonObject obj) obj[name!] = JsonNode.Parse(HostileValues[value]);
        else ((JsonArray)parent)[index] = JsonNode.Parse(HostileValues[value]);
        return new JsonMutation(value < 0 ? $"{path} removed" : $"{path} := {HostileValues[value]}", root.ToJsonString(), at, value);
    }

    private static JsonMutation Byte(byte[] bytes, int at, int bit)
    {
        var changed = bit < 0 ? bytes[..at] : (byte[])bytes.Clone();
        if (bit >= 0) changed[at] ^= (byte)(1 << bit);
        return new JsonMutation(bit < 0 ? $"cut to {at} bytes" : $"bit {bit} of byte {at} flipped", Encoding.UTF8.GetString(changed), at, bit);
    }

    /// <summary>Every place in the tree, depth first: (parent, property name or null, array index).</summary>
    private static List<(JsonNode Parent, string? Name, int Index)> Places(JsonNode node)
    {
        var result = new List<(JsonNode, string?, int)>();
        void Walk(JsonNode n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList())
                    {
                        result.Add((o, k, -1));
                        if (v is not null) Walk(v);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        result.Add((a, null, i));
                        if (a[i] is { } v) Walk(v);
                    }
                    break;
            }
        }
        Walk(node);
        return result;
    }
}
