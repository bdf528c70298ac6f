using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ReLICv2.Augmentation;
using ReLICv2.Testing;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Every law of ReLICv2.Testing's AugmentationLaws against chains of each augmentation step kind alone.</summary>
public class StepKindLawTests
{
    private static readonly LawConfig Config = LawConfig.Default.WithMaxTest(25);

    /// <summary>The step kinds the library defines: the JSON kinds of <see cref="AugmentationStep"/>.</summary>
    private static Type[] DefinedKinds => typeof(AugmentationStep).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).ToArray();

    public static TheoryData<string> Kinds => new(DefinedKinds.Select(t => t.Name));

    private static Type Kind(string name) => DefinedKinds.Single(t => t.Name == name);

    [Fact]
    public void Every_step_kind_the_library_defines_has_a_generator()
    {
        Assert.Equal(DefinedKinds.OrderBy(t => t.Name), AugmentationArbitraries.StepKinds.OrderBy(t => t.Name));
        Assert.Equal(7, DefinedKinds.Length);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Chains_of_one_step_kind_preserve_shape_and_range(string kind) =>
        AugmentationLaws.PreservesShapeAndRange(AugmentationArbitraries.ChainsOf(Kind(kind)), Config);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Chains_of_one_step_kind_are_reproducible_under_a_seed(string kind) =>
        AugmentationLaws.ReproducibleUnderSeed(AugmentationArbitraries.ChainsOf(Kind(kind)), Config);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Chains_of_one_step_kind_and_their_parameters_survive_a_json_round_trip(string kind) =>
        AugmentationLaws.JsonRoundTrip(AugmentationArbitraries.ChainsOf(Kind(kind)), Config);

    /// <summary>The number of JSON fields in which two steps differ.</summary>
    private static int ChangedFields(AugmentationStep a, AugmentationStep b)
    {
        var x = JsonNode.Parse(AugmentationChain.Of(a).ToJson())!["steps"]![0]!.AsObject();
        var y = JsonNode.Parse(AugmentationChain.Of(b).ToJson())!["steps"]![0]!.AsObject();
        return x.Count(p => !JsonNode.DeepEquals(p.Value, y[p.Key]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Generated_steps_of_each_kind_are_of_that_kind_and_shrink_one_field_at_a_time(string kind)
    {
        var type = Kind(kind);
        var arbitrary = AugmentationArbitraries.Steps(type);
        Law.Check($"steps of kind {kind}", arbitrary, step =>
        {
            if (step.GetType() != type) return $"generated a {step.GetType().Name}";
            var wrong = arbitrary.Shrinker(step).FirstOrDefault(s => s.GetType() != type || s.Equals(step) || ChangedFields(step, s) != 1);
            return wrong is null ? null : $"shrinks to {wrong}";
        }, Config);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sampled_parameters_of_each_kind_survive_a_json_round_trip(string kind) =>
        Law.Check($"{kind} parameters", AugmentationArbitraries.StepParams(Kind(kind)), p =>
        {
            var back = ChainParams.FromJson(new ChainParams(4, 4, [p]).ToJson()).Steps[0];
            return back.Equals(p) ? null : $"read back as {back}";
        }, Config);
}
