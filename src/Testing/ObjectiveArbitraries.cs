using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;
using ReLICv2.Objectives;

namespace ReLICv2.Testing;

/// <summary>
/// FsCheck generators with shrinking for well-typed, well-formed objective expressions (docs/architecture.md §5.3)
/// over a batch of <see cref="Batch"/> embeddings of dimension <see cref="Dimension"/>, built only from the public
/// <see cref="Expr"/> primitives and operators: embeddings (o, t, normalised, centred, standardised, stopped),
/// square and restricted logits (similarities, transposes, dropped diagonals, sampled candidates, class logits,
/// joined columns), distributions, correlations, every scalar loss and weighted sums of them, plus the user-defined
/// primitives a caller adds to the grammar. Every generated
/// objective compiles. Shrinking works on the expression tree through its JSON form, so it covers every node kind,
/// including ones added later: a node is replaced by one of its sub-expressions, a term is dropped from a sum, a
/// number (weight, temperature, …) becomes 1 — each candidate kept only when it still reads back and compiles.
/// </summary>
public static class ObjectiveArbitraries
{
    /// <summary>The batch size N the generated objectives are well formed for (sampled negatives k ≤ N − 1).</summary>
    public const int Batch = 5;

    /// <summary>The embedding dimension D the laws evaluate objectives at.</summary>
    public const int Dimension = 3;

    private static readonly double[] Temperatures = [0.07, 0.2, 1.0, 3.0];
    private static readonly double[] Weights = [-2.0, -0.5, 0.3, 1.0, 2.5];

    /// <summary>
    /// Objectives nested up to <paramref name="depth"/> sums deep. Grammar extensions for user-defined primitives
    /// (docs/method.md §5): <paramref name="embeddingOps"/> wraps an embedding expression wherever the built-in unary
    /// nodes (normalise, centre, …) may appear; <paramref name="extraLeaves"/> builds further scalar terms from the
    /// generator of embedding expressions (which includes <paramref name="embeddingOps"/>).
    /// </summary>
    public static Arbitrary<Objective> Objectives(int depth = 2, IEnumerable<Func<Gen<Expr<Embeddings>>, Gen<Objective>>>? extraLeaves = null,
        IEnumerable<Func<Expr<Embeddings>, Expr<Embeddings>>>? embeddingOps = null)
    {
        if (depth is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(depth), depth, $"ObjectiveArbitraries: depth must be in [0, 4], got {depth}");
        var grammar = new Grammar(embeddingOps?.ToArray() ?? [], extraLeaves?.ToArray() ?? []);
        return Arb.From(grammar.Objective(depth), Shrink);
    }

    /// <summary>Embedding expressions up to <paramref name="depth"/> unary nodes deep.</summary>
    public static Gen<Expr<Embeddings>> Embeddings(int depth) => Grammar.Default.Embeddings(depth);

    /// <summary>Square [N, N] logits: similarities, their transposes and stopped gradients.</summary>
    public static Gen<Expr<Logits>> SquareLogits(int depth) => Grammar.Default.SquareLogits(depth);

    /// <summary>
    /// Logits of a width code: 0 square (N), 1 diagonal dropped (N − 1), 2 class logits (D), 2 + k the positive and
    /// k sampled negatives (1 + k).
    /// </summary>
    public static Gen<Expr<Logits>> Logits(int width, int depth) => Grammar.Default.Logits(width, depth);

    /// <summary>Logits whose first or diagonal column is the positive (what a diagonal cross-entropy needs).</summary>
    public static Gen<Expr<Logits>> LogitsWithPositive(int depth) => Grammar.Default.LogitsWithPositive(depth);

    /// <summary>Softmax distributions over logits of a width code, sometimes with the gradient stopped.</summary>
    public static Gen<Expr<Distribution>> Distributions(int width, int depth) => Grammar.Default.Distributions(width, depth);

    /// <summary>Cross-correlation matrices of two embedding expressions, sometimes with the gradient stopped.</summary>
    public static Gen<Expr<Correlation>> Correlations() => Grammar.Default.Correlations();

    /// <summary>The expression grammar, with the extensions of one <see cref="Objectives"/> call.</summary>
    private sealed class Grammar(Func<Expr<Embeddings>, Expr<Embeddings>>[] embeddingOps, Func<Gen<Expr<Embeddings>>, Gen<Objective>>[] extraLeaves)
    {
        public static Grammar Default { get; } = new([], []);

        private static Gen<int> Width => Gen.Choose(0, 2 + Batch - 1);

        public Gen<Expr<Embeddings>> Embeddings(int depth) => depth == 0
            ? Gen.Elements(Expr.Online, Expr.Target)
            : Gen.OneOf(new[]
            {
                Embeddings(0),
                Embeddings(depth - 1).Select(Expr.Normalize),
                Embeddings(depth - 1).Select(Expr.Centre),
                Embeddings(depth - 1).Select(x => Expr.Standardise(x)),
                Embeddings(depth - 1).Select(Expr.StopGradient),
            }.Concat(embeddingOps.Select(op => Embeddings(depth - 1).Select(op))).ToArray());

        public Gen<Expr<Logits>> SquareLogits(int depth) => depth == 0
            ? Gen.Zip(Gen.Zip(Embeddings(2), Embeddings(2), (a, b) => (a, b)), Gen.Elements(Temperatures), (ab, tau) => Expr.Similarity(ab.a, ab.b, tau))
            : Gen.OneOf(SquareLogits(0), SquareLogits(depth - 1).Select(Expr.Transpose), SquareLogits(depth - 1).Select(Expr.StopGradient));

        public Gen<Expr<Logits>> Logits(int width, int depth) => width switch
        {
            0 => SquareLogits(depth),
            1 => SquareLogits(depth).Select(Expr.DropDiagonal),
            2 => Gen.Zip(Embeddings(2), Gen.Elements(Temperatures), (x, tau) => Expr.AsLogits(x, tau)),
            _ => SquareLogits(depth).Select(l => Expr.Candidates(l, Negatives.Sample(width - 2))),
        };

        public Gen<Expr<Logits>> LogitsWithPositive(int depth) => Gen.OneOf(
            SquareLogits(depth),
            Gen.Choose(1, Batch - 1).SelectMany(k => Logits(2 + k, depth)),
            Gen.Zip(Gen.Choose(0, 1).SelectMany(w => Logits(w == 0 ? 0 : 4, depth)), Width.SelectMany(w => Logits(w, depth)), Expr.JoinColumns));

        public Gen<Expr<Distribution>> Distributions(int width, int depth) =>
            Gen.Zip(Logits(width, depth).Select(Expr.Softmax), Gen.Elements(false, true), (p, sg) => sg ? Expr.StopGradient(p) : p);

        public Gen<Expr<Correlation>> Correlations() =>
            Gen.Zip(Embeddings(2), Embeddings(2), Expr.CrossCorrelation).SelectMany(c => Gen.Elements(c, Expr.StopGradient(c)));

        private Gen<Objective> Leaf(int depth) => Gen.OneOf(new[]
        {
            LogitsWithPositive(depth).Select(Expr.DiagonalCrossEntropy),
            Width.SelectMany(w => Gen.Zip(Distributions(w, depth), Distributions(w, depth), Expr.Kl)),
            Width.SelectMany(w => Gen.Zip(Distributions(w, depth), Distributions(w, depth), Expr.CrossEntropy)),
            Width.SelectMany(w => Distributions(w, depth)).Select(Expr.Entropy),
            Width.SelectMany(w => Distributions(w, depth)).Select(Expr.EntropyOfMean),
            Gen.Zip(Embeddings(2), Embeddings(2), Expr.MeanSquaredError),
            Gen.Zip(Embeddings(2), Embeddings(2), Expr.Cosine),
            Correlations().Select(Expr.OnDiagonalPenalty),
            Correlations().Select(Expr.OffDiagonalPenalty),
            Embeddings(2).Select(x => Expr.VariancePenalty(x)),
            Embeddings(2).Select(Expr.CovariancePenalty),
            Gen.Elements(Weights).Select(Expr.Constant),
        }.Concat(extraLeaves.Select(leaf => leaf(Embeddings(2)))).ToArray());

        public Gen<Objective> Objective(int depth) => depth == 0
            ? Leaf(1)
            : Gen.OneOf(
                Leaf(1),
                Gen.Choose(1, 3).SelectMany(n => Gen.Zip(Gen.Elements(Weights), Objective(depth - 1), (w, o) => new WeightedTerm(w, o)).ArrayOf(n))
                    .Select(terms => Expr.Sum(terms)),
                Gen.Zip(Objective(depth - 1), Objective(depth - 1), (a, b) => a + b),
                Gen.Zip(Gen.Elements(Weights), Objective(depth - 1), (w, o) => w * o));
    }

    /// <summary>Smaller objectives that still read back from JSON and compile, largest reductions first.</summary>
    internal static IEnumerable<Objective> Shrink(Objective objective)
    {
        var root = JsonNode.Parse(ObjectiveJson.Serialize(objective))!;
        var seen = new HashSet<Objective> { objective };
        foreach (var candidate in Candidates(root))
        {
            Objective smaller;
            try
            {
                smaller = ObjectiveJson.Deserialize(candidate.ToJsonString());
                smaller.Compile();
            }
            catch (Exception)
            {
                continue;   // an edit that no longer reads back or compiles is not a candidate
            }
            if (seen.Add(smaller)) yield return smaller;
        }
    }

    /// <summary>Edits of the JSON tree: hoist a sub-expression into its ancestor's place, drop an array item, set a number to 1.</summary>
    private static IEnumerable<JsonNode> Candidates(JsonNode root)
    {
        var nodes = Walk(root, []).ToList();
        foreach (var (node, path) in nodes.Where(n => n.Node is JsonObject o && o.ContainsKey("op")))
            foreach (var (inner, innerPath) in Walk(node, []).Skip(1).Where(n => n.Node is JsonObject o && o.ContainsKey("op")))
            {
                if (innerPath.Count > 3) continue;
                yield return Replace(root, path, inner.DeepClone());
            }
        foreach (var (node, path) in nodes.Where(n => n.Node is JsonArray { Count: > 1 }))
            for (var i = 0; i < ((JsonArray)node).Count; i++)
            {
                var copy = root.DeepClone();
                ((JsonArray)Find(copy, path)).RemoveAt(i);
                yield return copy;
            }
        foreach (var (node, path) in nodes.Where(n => n.Node is JsonValue v && v.TryGetValue<double>(out var d) && d != 1))
            yield return Replace(root, path, JsonValue.Create(1.0));
    }

    private static IEnumerable<(JsonNode Node, List<object> Path)> Walk(JsonNode node, List<object> path)
    {
        yield return (node, path);
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                    if (value is not null)
                        foreach (var inner in Walk(value, [.. path, key])) yield return inner;
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } item)
                        foreach (var inner in Walk(item, [.. path, i])) yield return inner;
                break;
        }
    }

    private static JsonNode Find(JsonNode root, List<object> path) =>
        path.Aggregate(root, (n, step) => step is int i ? n[i]! : n[(string)step]!);

    private static JsonNode Replace(JsonNode root, List<object> path, JsonNode replacement)
    {
        if (path.Count == 0) return replacement;
        var copy = root.DeepClone();
        var parent = Find(copy, path[..^1]);
        if (path[^1] is int i) parent[i] = replacement;
        else parent[(string)path[^1]] = replacement;
        return copy;
    }
}
