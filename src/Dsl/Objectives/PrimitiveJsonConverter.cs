using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReLICv2.Objectives;

/// <summary>Writes a user-defined <see cref="Primitive"/> as its registered name and reads a name back through <see cref="PrimitiveRegistry"/>.</summary>
internal sealed class PrimitiveJsonConverter : JsonConverter<Primitive>
{
    public override Primitive Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"ObjectiveJson: a primitive is written as its registered name (a string); got {reader.TokenType}.");
        var name = reader.GetString()!;
        return PrimitiveRegistry.IsRegisteredName(name, out var primitive)
            ? primitive
            : throw new JsonException($"ObjectiveJson: unknown primitive '{name}'; registered primitives: {(PrimitiveRegistry.Names.Count == 0 ? "none" : string.Join(", ", PrimitiveRegistry.Names))} (register it with PrimitiveRegistry.Register before reading).");
    }

    public override void Write(Utf8JsonWriter writer, Primitive value, JsonSerializerOptions options)
    {
        if (!PrimitiveRegistry.IsRegistered(value))
            throw new JsonException($"ObjectiveJson: primitive '{value.Name}' is not registered, so its JSON could not be read back; register it with PrimitiveRegistry.Register first.");
        writer.WriteStringValue(value.Name);
    }
}
