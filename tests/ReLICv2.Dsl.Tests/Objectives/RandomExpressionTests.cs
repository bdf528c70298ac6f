using ReLICv2.Testing;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Random well-typed objectives (ReLICv2.Testing's ObjectiveArbitraries): each compiles, evaluates to a finite scalar,
/// round-trips through JSON, and reports the gradient flow autograd sees — the laws of ObjectiveLaws.
/// </summary>
public class RandomExpressionTests
{
    private static readonly LawConfig Config = LawConfig.Default.WithMaxTest(100);

    [Fact]
    public void Random_objectives_compile_and_evaluate_to_a_finite_scalar() => ObjectiveLaws.EvaluatesToFiniteScalar(config: Config);

    [Fact]
    public void Random_objectives_survive_a_json_round_trip_with_equality() => ObjectiveLaws.JsonRoundTrip(config: Config);

    [Fact]
    public void Reported_gradient_flow_agrees_with_autograd() => ObjectiveLaws.GradientFlowAgreesWithAutograd(config: Config);
}
