using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Objectives;
using ReLICv2.Testing;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Random well-typed objectives (ReLICv2.Testing's ObjectiveArbitraries, with the user-defined primitives of
/// <see cref="TestPrimitives"/> added to the grammar): each compiles, evaluates to a finite scalar, round-trips through
/// JSON, and reports the gradient flow autograd sees — the laws of ObjectiveLaws.
/// </summary>
public class RandomExpressionTests
{
    private static readonly LawConfig Config = LawConfig.Default.WithMaxTest(100);

    /// <summary>The built-in grammar plus a row-wise squashing of embeddings, a uniformity loss and a distance in every stop-gradient variant.</summary>
    private static readonly Arbitrary<Objective> Objectives = ObjectiveArbitraries.Objectives(
        extraLeaves:
        [
            e => Gen.Zip(Gen.Choose(0, 3), Gen.Zip(e, e), (mask, ab) => TestPrimitives.Distance[mask].Apply([ab.Item1, ab.Item2])),
            e => e.Select(x => TestPrimitives.Uniformity.Apply([x], [0.5])),
        ],
        embeddingOps: [x => TestPrimitives.Squash.Apply<Embeddings>([x], [0.8])]);

    [Fact]
    public void Random_objectives_compile_and_evaluate_to_a_finite_scalar() => ObjectiveLaws.EvaluatesToFiniteScalar(Objectives, Config);

    [Fact]
    public void Random_objectives_survive_a_json_round_trip_with_equality() => ObjectiveLaws.JsonRoundTrip(Objectives, Config);

    [Fact]
    public void Reported_gradient_flow_agrees_with_autograd() => ObjectiveLaws.GradientFlowAgreesWithAutograd(Objectives, Config);

    [Fact]
    public void The_built_in_grammar_alone_obeys_every_objective_law()
    {
        ObjectiveLaws.EvaluatesToFiniteScalar(config: Config);
        ObjectiveLaws.JsonRoundTrip(config: Config);
        ObjectiveLaws.GradientFlowAgreesWithAutograd(config: Config);
    }

    [Fact]
    public void Objectives_with_primitives_shrink_to_a_single_primitive_term()
    {
        var e = Assert.Throws<LawFailedException>(() => Law.Check("no uniformity", Objectives, o =>
            o.ToString().Contains("test.uniformity", StringComparison.Ordinal) ? "uses test.uniformity" : null, Config.WithMaxTest(300)));
        Assert.StartsWith("test.uniformity(", e.Counterexample, StringComparison.Ordinal);
    }
}
