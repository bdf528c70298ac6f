using System.Text.Json.Nodes;
using ReLICv2.Augmentation;

namespace ReLICv2.Testing;

/// <summary>
/// One field of an augmentation step (its JSON name) and the simpler values shrinking tries for it, given the step's
/// JSON and the smallest crop size of the generator (docs/testing.md §3). A step is shrunk by editing one field of its
/// JSON and reading the step back, so validation rejects impossible candidates and every other field — including one a
/// later version adds — keeps its value.
/// </summary>
/// <param name="Name">The field's JSON name, e.g. <c>minArea</c>.</param>
/// <param name="Simpler">The candidate values, simplest first, from the step's JSON object and the smallest crop size.</param>
internal sealed record StepField(string Name, Func<JsonObject, int, IEnumerable<JsonNode?>> Simpler)
{
    /// <summary>A number shrunk towards a constant.</summary>
    public static StepField Toward(string name, double target) =>
        new(name, (o, _) => Shrinks.Toward(Number(o, name), target).Select(v => (JsonNode?)JsonValue.Create(v)));

    /// <summary>A number shrunk towards another field's value (a range towards a single point).</summary>
    public static StepField TowardField(string name, string other) =>
        new(name, (o, _) => Shrinks.Toward(Number(o, name), Number(o, other)).Select(v => (JsonNode?)JsonValue.Create(v)));

    /// <summary>An output size shrunk towards the generator's smallest.</summary>
    public static StepField Size(string name) =>
        new(name, (o, minSize) => Shrinks.Toward((int)Number(o, name), minSize).Select(v => (JsonNode?)JsonValue.Create(v)));

    /// <summary>A value from a list ordered simplest first (null, a number or a string); shrinks to the ones before it.</summary>
    public static StepField Choices(string name, params object?[] simplestFirst) => new(name, (o, _) =>
    {
        var nodes = simplestFirst.Select(v => v is null ? null : JsonValue.Create(v)).ToArray();
        var current = o[name]?.ToJsonString() ?? "null";
        var at = Array.FindIndex(nodes, n => (n?.ToJsonString() ?? "null") == current);
        return at <= 0 ? [] : nodes[..at];
    });

    /// <summary>The step with one of <paramref name="fields"/> set to one of its simpler values, field by field; invalid candidates are left out.</summary>
    public static IEnumerable<AugmentationStep> Shrink(AugmentationStep step, IReadOnlyList<StepField> fields, int minSize)
    {
        var chain = JsonNode.Parse(AugmentationChain.Of(step).ToJson())!;
        var json = chain["steps"]![0]!.AsObject();
        var edits = fields.Where(f => json.ContainsKey(f.Name))
            .SelectMany(f => f.Simpler(json, minSize).Select(value => (Func<AugmentationStep>)(() =>
            {
                var copy = chain.DeepClone();
                copy["steps"]![0]![f.Name] = value?.DeepClone();
                return AugmentationChain.FromJson(copy.ToJsonString()).Steps[0];
            })));
        return Shrinks.Valid(edits.ToArray());
    }

    private static double Number(JsonObject o, string name) => o[name]!.GetValue<double>();
}
