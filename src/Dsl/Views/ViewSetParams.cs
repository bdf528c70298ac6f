using ReLICv2.Augmentation;

namespace ReLICv2.Views;

/// <summary>Everything a <see cref="ViewSet"/> drew for one batch: the parameters of each large view and each small view.</summary>
public sealed record ViewSetParams
{
    /// <summary>Parameters per large view and per small view.</summary>
    public ViewSetParams(IReadOnlyList<ChainParams> large, IReadOnlyList<ChainParams> small)
    {
        ArgumentNullException.ThrowIfNull(large);
        ArgumentNullException.ThrowIfNull(small);
        Large = ValueList<ChainParams>.From(large);
        Small = ValueList<ChainParams>.From(small);
    }

    /// <summary>One entry per large view.</summary>
    public IReadOnlyList<ChainParams> Large { get; }

    /// <summary>One entry per small view.</summary>
    public IReadOnlyList<ChainParams> Small { get; }

    /// <summary>This value as JSON.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a value written by <see cref="ToJson"/>.</summary>
    public static ViewSetParams FromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<ViewSetParams>(json, JsonOptions) ?? throw new ArgumentException("ViewSetParams.FromJson: the JSON is null", nameof(json));

    internal static System.Text.Json.JsonSerializerOptions JsonOptions => ViewSet.JsonOptions;

    /// <inheritdoc />
    public override string ToString() =>
        "ViewSetParams(" + string.Join(" | ", Large.Select((p, i) => $"large {i + 1}: {p}").Concat(Small.Select((p, i) => $"small {i + 1}: {p}"))) + ")";
}
