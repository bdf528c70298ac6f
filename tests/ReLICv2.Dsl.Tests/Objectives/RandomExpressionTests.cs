using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Objectives;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Random well-typed objectives: each compiles, evaluates to a finite scalar, round-trips through JSON, and reports the gradient flow autograd sees.</summary>
public class RandomExpressionTests
{
    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true);

    private static (Tensor Online, Tensor Target) Inputs(int seed)
    {
        var g = new Generator((ulong)seed);
        return (Torch.Randn([RandomExpressions.Batch, RandomExpressions.Dimension], g, DType.Float64).RequireGrad(),
                Torch.Randn([RandomExpressions.Batch, RandomExpressions.Dimension], g, DType.Float64).RequireGrad());
    }

    [Fact]
    public void Random_objectives_compile_and_evaluate_to_a_finite_scalar() =>
        Prop.ForAll(RandomExpressions.Arbitrary, objective => Torch.ScopedValue(() =>
        {
            var (o, t) = Inputs(objective.ToString().Length);
            var value = objective.Compile().Evaluate(o, t, new Generator(3));
            return value.Rank == 0 && double.IsFinite(value.Item());
        })).Check(Config);

    [Fact]
    public void Random_objectives_survive_a_json_round_trip_with_equality() =>
        Prop.ForAll(RandomExpressions.Arbitrary, objective =>
        {
            var back = ObjectiveJson.Deserialize(ObjectiveJson.Serialize(objective));
            return back == objective && back.GetHashCode() == objective.GetHashCode() && back.ToString() == objective.ToString();
        }).Check(Config);

    [Fact]
    public void Reported_gradient_flow_agrees_with_autograd() =>
        Prop.ForAll(RandomExpressions.Arbitrary, objective => Torch.ScopedValue(() =>
        {
            var (o, t) = Inputs(7);
            var value = objective.Compile().Evaluate(o, t, new Generator(3));
            var flow = objective.Flow;
            if (!value.RequiresGrad) return flow == GradientFlow.None;
            var grads = Torch.Grad([value], [o, t]);
            return (grads[0] is not null) == flow.Online && (grads[1] is not null) == flow.Target
                && grads.All(g => g is null || g.IsFinite().All().Item() != 0);
        })).Check(Config);
}
