using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReLICv2.Augmentation;

/// <summary>The JSON settings of the declarative values: camelCase names, enums as strings, indented output.</summary>
internal static class DslJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json, string what)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new ArgumentException($"{what}.FromJson: the JSON is null", nameof(json));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what}.FromJson: invalid JSON: {e.Message}", nameof(json), e);
        }
    }
}
