using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// Compiles DSL values into the plain functions the Core engine takes (docs/architecture.md §2: "Core knows nothing of the DSL").
/// </summary>
public static class PretrainingAdapters
{
    /// <summary>
    /// The view maker of <paramref name="views"/>: step k of a run uses the seed derived from (<paramref name="seed"/>, k),
    /// so the views of a step do not depend on what ran before it (resumed runs see the same views).
    /// </summary>
    public static ViewMaker ViewMaker(ViewSet views, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(views);
        return (batch, step) =>
        {
            using var made = views.Run(batch.Images, StepSeed(seed, step), batch.Masks);
            var large = made.Large.Select(t => t.Alias()).ToArray();
            var small = made.Small.Select(t => t.Alias()).ToArray();
            return new PretrainingViews(large, small);
        };
    }

    /// <summary>A well-mixed 64-bit seed for step <paramref name="step"/> of a run seeded with <paramref name="seed"/> (SplitMix64).</summary>
    public static ulong StepSeed(ulong seed, long step)
    {
        var z = seed + 0x9E3779B97F4A7C15UL * (ulong)(step + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The engine loss of <paramref name="objective"/> with its terms reported by name ("contrastive" for a cross-entropy
    /// against the diagonal, "invariance" for a KL, a user-defined primitive's name, otherwise the term's kind). The terms are evaluated together, one pass
    /// per view pair (<see cref="CompiledObjective.EvaluateTerms"/>): shared sub-expressions once, candidate negatives drawn
    /// once per pair and shared by every term, so the total Σ wₖ·termₖ is the whole objective's value and the generator
    /// advances by the same draws every step. Under a global batch of WorldSize &gt; 1 each
    /// term is this rank's share (<see cref="CompiledObjective.EvaluateViews"/>); the objective is checked first, before any
    /// gather (<see cref="CompiledObjective.ValidateForDataParallel"/>), and each view tensor is gathered at most once per
    /// call, shared by all terms, in the order the terms first ask for it.
    /// </summary>
    public static PretrainingLoss Loss(PairedObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var terms = objective.Pair.AsTerms();
        var whole = objective.Pair.Compile();
        var names = UniqueNames(terms.Select(t => TermName(t.Term)).ToList());
        return (online, targets, generator, global) =>
        {
            var values = whole.EvaluateTerms(online, targets, objective.Pairing, generator, global);
            var named = new Dictionary<string, Tensor>();
            Tensor? total = null;
            for (var k = 0; k < terms.Count; k++)
            {
                named[names[k]] = values[k].Detach();
                var weighted = values[k] * terms[k].Weight;
                total = total is null ? weighted : total + weighted;
            }
            return new LossValue(total!, named);
        };
    }

    private static string TermName(Objective term) => term switch
    {
        DiagonalCrossEntropy => "contrastive",
        Kl => "invariance",
        PrimitiveObjective p => p.Primitive.Name,
        _ => term.GetType().Name.ToLowerInvariant(),
    };

    private static List<string> UniqueNames(List<string> names) =>
        names.Select((n, i) => names.Count(m => m == n) == 1 ? n : $"{n}{names.Take(i + 1).Count(m => m == n)}").ToList();
}
