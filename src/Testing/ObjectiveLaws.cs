using FsCheck;
using ReLICv2.Objectives;

namespace ReLICv2.Testing;

/// <summary>
/// Laws every objective expression obeys (docs/testing.md §2), checked on generated objectives (default
/// <see cref="ObjectiveArbitraries.Objectives"/>) evaluated on Float64 embeddings o, t of
/// <see cref="ObjectiveArbitraries.Batch"/> × <see cref="ObjectiveArbitraries.Dimension"/> drawn from a seed derived
/// from the objective's formula (so a printed counterexample is evaluated on the same inputs again). Each returns
/// when the law held and throws <see cref="LawFailedException"/> (shrunk counterexample, seed to replay) otherwise.
/// </summary>
public static class ObjectiveLaws
{
    /// <summary>
    /// The structural <see cref="ExprNode.Flow"/> names exactly the inputs autograd gives a gradient to: o receives
    /// one iff Flow.Online, t iff Flow.Target; a loss that does not require grad has Flow none; gradients are finite.
    /// </summary>
    public static void GradientFlowAgreesWithAutograd(Arbitrary<Objective>? objectives = null, LawConfig? config = null) =>
        Law.Check($"{nameof(ObjectiveLaws)}.{nameof(GradientFlowAgreesWithAutograd)}", objectives ?? ObjectiveArbitraries.Objectives(), objective => Torch.ScopedValue(() =>
        {
            var (o, t) = Inputs(objective);
            var value = objective.Compile().Evaluate(o, t, new Generator(3));
            var flow = objective.Flow;
            if (!value.RequiresGrad)
                return flow == GradientFlow.None ? null : $"Flow says {flow} but the loss does not require grad (autograd gives none)";
            var grads = Torch.Grad([value], [o, t]);
            var actual = new GradientFlow(grads[0] is not null, grads[1] is not null);
            if (actual != flow) return $"Flow says {flow}, autograd gives gradients to {actual}";
            return grads.All(g => g is null || g.IsFinite().All().Item() != 0) ? null : "a gradient has a NaN or infinite value";
        }), config);

    /// <summary>The objective compiles and evaluates to a finite scalar (a rank-0 tensor).</summary>
    public static void EvaluatesToFiniteScalar(Arbitrary<Objective>? objectives = null, LawConfig? config = null) =>
        Law.Check($"{nameof(ObjectiveLaws)}.{nameof(EvaluatesToFiniteScalar)}", objectives ?? ObjectiveArbitraries.Objectives(), objective => Torch.ScopedValue(() =>
        {
            var (o, t) = Inputs(objective);
            var value = objective.Compile().Evaluate(o, t, new Generator(3));
            if (value.Rank != 0) return $"the value has shape [{string.Join(", ", value.Shape)}], not a scalar";
            return double.IsFinite(value.Item()) ? null : $"the value is {value.Item()}";
        }), config);

    /// <summary>The objective survives a JSON round trip (<see cref="ObjectiveJson"/>): equal, same hash, same formula.</summary>
    public static void JsonRoundTrip(Arbitrary<Objective>? objectives = null, LawConfig? config = null) =>
        Law.Check($"{nameof(ObjectiveLaws)}.{nameof(JsonRoundTrip)}", objectives ?? ObjectiveArbitraries.Objectives(), objective =>
        {
            var json = ObjectiveJson.Serialize(objective);
            return AugmentationLaws.RoundTripViolation(objective, ObjectiveJson.Deserialize(json), json);
        }, config);

    /// <summary>o and t [N, D] in Float64 requiring grad, from a seed that depends only on the formula (FNV-1a of its text).</summary>
    private static (Tensor Online, Tensor Target) Inputs(Objective objective)
    {
        var seed = objective.ToString().Aggregate(14695981039346656037UL, (h, ch) => (h ^ ch) * 1099511628211UL);
        using var g = new Generator(seed);
        return (Torch.Randn([ObjectiveArbitraries.Batch, ObjectiveArbitraries.Dimension], g, DType.Float64).RequireGrad(),
                Torch.Randn([ObjectiveArbitraries.Batch, ObjectiveArbitraries.Dimension], g, DType.Float64).RequireGrad());
    }
}
