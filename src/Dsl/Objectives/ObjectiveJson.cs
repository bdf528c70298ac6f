using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ReLICv2.Objectives;

/// <summary>
/// JSON round-trip of objective expressions with System.Text.Json: every node is an object whose first property
/// <c>"op"</c> names the node (<c>"kl"</c>, <c>"similarity"</c>, <c>"stopGradient.distribution"</c>, …) followed by its
/// fields in camelCase, e.g. <c>{"op":"kl","left":{"op":"softmax",…},"right":{…}}</c>. Reading back gives a value equal
/// to the one written. A user-defined <see cref="Primitive"/> is written by name (<c>{"op":"primitiveObjective",
/// "primitive":"uniformity","inputs":[…],"parameters":[2]}</c>) and read back through <see cref="PrimitiveRegistry"/>;
/// an unregistered name is an error that names it and lists the registered ones.
/// </summary>
public static class ObjectiveJson
{
    private static readonly Type[] Kinds = [typeof(Embeddings), typeof(Logits), typeof(Distribution), typeof(Correlation)];

    private static readonly Type[] NodeTypes = typeof(ExprNode).Assembly.GetTypes()
        .Where(t => typeof(ExprNode).IsAssignableFrom(t) && !t.IsAbstract && !t.IsGenericTypeDefinition)
        .Concat(Kinds.Select(k => typeof(StopGradient<>).MakeGenericType(k)))
        .Concat(new[] { typeof(Embeddings), typeof(Correlation) }.Select(k => typeof(PrimitiveExpression<>).MakeGenericType(k)))
        .OrderBy(Discriminator, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The serializer options used by this class (camelCase, discriminated polymorphism on every node base type).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AddNodeTypes } },
        Converters = { new PrimitiveJsonConverter() },
    };

    /// <summary>The JSON text of an objective.</summary>
    public static string Serialize(Objective objective) => JsonSerializer.Serialize(objective, Options);

    /// <summary>The JSON text of a paired objective.</summary>
    public static string Serialize(PairedObjective objective) => JsonSerializer.Serialize(objective, Options);

    /// <summary>The JSON text of any typed expression.</summary>
    public static string Serialize<T>(Expr<T> expression) => JsonSerializer.Serialize(expression, Options);

    /// <summary>Reads an objective written by <see cref="Serialize(Objective)"/>.</summary>
    /// <exception cref="JsonException">The text is not a valid objective.</exception>
    public static Objective Deserialize(string json) =>
        JsonSerializer.Deserialize<Objective>(json, Options) ?? throw new JsonException("ObjectiveJson: the text holds null, not an objective.");

    /// <summary>Reads a typed expression written by <see cref="Serialize{T}(Expr{T})"/>.</summary>
    /// <exception cref="JsonException">The text is not a valid expression of this kind.</exception>
    public static Expr<T> Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<Expr<T>>(json, Options) ?? throw new JsonException("ObjectiveJson: the text holds null, not an expression.");

    /// <summary>Reads a paired objective written by <see cref="Serialize(PairedObjective)"/>.</summary>
    /// <exception cref="JsonException">The text is not a valid paired objective.</exception>
    public static PairedObjective DeserializePaired(string json) =>
        JsonSerializer.Deserialize<PairedObjective>(json, Options) ?? throw new JsonException("ObjectiveJson: the text holds null, not a paired objective.");

    private static string Discriminator(Type type)
    {
        if (type.IsGenericType)
            return JsonNamingPolicy.CamelCase.ConvertName(type.Name[..type.Name.IndexOf('`')]) + "." + JsonNamingPolicy.CamelCase.ConvertName(type.GetGenericArguments()[0].Name);
        return JsonNamingPolicy.CamelCase.ConvertName(type.Name);
    }

    private static void AddNodeTypes(JsonTypeInfo info)
    {
        if (!info.Type.IsAbstract || !typeof(ExprNode).IsAssignableFrom(info.Type)) return;
        var polymorphism = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "op",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var node in NodeTypes.Where(info.Type.IsAssignableFrom))
            polymorphism.DerivedTypes.Add(new JsonDerivedType(node, Discriminator(node)));
        info.PolymorphismOptions = polymorphism;
    }
}
