using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReLICv2.Experiments;

/// <summary>A <see cref="MaskSourceSpec"/> as its one-string JSON form.</summary>
internal sealed class MaskSourceSpecJsonConverter : JsonConverter<MaskSourceSpec>
{
    public override MaskSourceSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"masks: expected a string (dataset, folder:PATH, boundary-contrast, spectral-residual), got {reader.TokenType}");
        try
        {
            return MaskSourceSpec.Parse(reader.GetString()!);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"masks: {Experiment.OneLine(e)}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, MaskSourceSpec value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
