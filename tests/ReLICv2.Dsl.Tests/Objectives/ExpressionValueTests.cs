using ReLICv2.Losses;
using ReLICv2.Objectives;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Objectives are values: structural equality, readable formulas, JSON round-trip, gradient flow, validation.</summary>
public class ExpressionValueTests
{
    private static readonly (string Name, Objective Value)[] AllPresets =
    [
        ("relic", Presets.Relic()),
        ("relic sampled symmetric", Presets.Relic(beta: 0.5, alpha: 2, temperature: 0.2, negatives: Negatives.Sample(3), kl: KlHandling.Symmetric)),
        ("relic filipbasara0", Presets.Relic(kl: KlHandling.ReverseNoStopGradient)),
        ("simclr", Presets.SimClr()),
        ("byol", Presets.Byol()),
        ("barlow", Presets.BarlowTwins()),
        ("barlow scaled", Presets.BarlowTwinsScaled()),
        ("vicreg", Presets.VicReg()),
        ("ressl", Presets.Ressl()),
        ("twist", Presets.Twist()),
    ];

    [Fact]
    public void Equal_compositions_are_equal_values_with_equal_hashes_and_different_ones_are_not()
    {
        Assert.Equal(Presets.Relic(temperature: 0.2), Presets.Relic(temperature: 0.2));
        Assert.Equal(Presets.Relic(temperature: 0.2).GetHashCode(), Presets.Relic(temperature: 0.2).GetHashCode());
        Assert.NotEqual(Presets.Relic(temperature: 0.2), Presets.Relic(temperature: 0.3));
        Assert.NotEqual(Presets.Relic(kl: KlHandling.Forward), Presets.Relic(kl: KlHandling.Reverse));
        Assert.Equal(Presets.ReLICv2(), Presets.ReLICv2());
        Assert.NotEqual(Presets.ReLICv2(), Presets.ReLICv2(includeSameView: false));
    }

    [Fact]
    public void Every_preset_survives_a_json_round_trip_with_equality()
    {
        foreach (var (name, value) in AllPresets)
        {
            var json = ObjectiveJson.Serialize(value);
            var back = ObjectiveJson.Deserialize(json);
            Assert.True(value == back, $"{name}: {json}");
            Assert.Equal(value.ToString(), back.ToString());
        }
        var paired = Presets.ReLICv2(negatives: Negatives.Sample(4), includeSameView: false);
        Assert.Equal(paired, ObjectiveJson.DeserializePaired(ObjectiveJson.Serialize(paired)));
    }

    [Fact]
    public void Json_is_discriminated_by_an_op_property()
    {
        var json = ObjectiveJson.Serialize(Expr.Kl(Expr.Softmax(Expr.AsLogits(Expr.Online)), Expr.StopGradient(Expr.Softmax(Expr.AsLogits(Expr.Target)))));
        Assert.StartsWith("{\"op\":\"kl\",\"left\":{\"op\":\"softmax\"", json);
        Assert.Contains("\"op\":\"stopGradient.distribution\"", json);
    }

    [Fact]
    public void Gradient_flow_of_each_preset_says_which_branch_learns()
    {
        foreach (var (name, value) in AllPresets)
        {
            var expected = name is "simclr" or "barlow" or "barlow scaled" or "vicreg" or "twist"
                ? new GradientFlow(true, true)
                : new GradientFlow(true, false);
            Assert.True(expected == value.Flow, $"{name}: {value.Flow}");
        }
        Assert.Equal(GradientFlow.None, Expr.Constant(3).Flow);
        Assert.Equal(new GradientFlow(false, true), Expr.Cosine(Expr.StopGradient(Expr.Online), Expr.Target).Flow);
    }

    [Fact]
    public void Formulas_read_like_the_paper()
    {
        var l = Expr.Similarity(Expr.Normalize(Expr.Online), Expr.Normalize(Expr.Target), 0.2);
        var lta = Expr.Similarity(Expr.Normalize(Expr.Target), Expr.Normalize(Expr.Online), 0.2);
        Objective relic = 1 * Expr.DiagonalCrossEntropy(l) + 1 * Expr.Kl(Expr.Softmax(l), Expr.StopGradient(Expr.Softmax(lta)));
        Assert.Equal("1·CE(diag, ô·t̂ᵀ/0.2) + 1·KL(softmax(ô·t̂ᵀ/0.2) ‖ sg[softmax(t̂·ôᵀ/0.2)])", relic.ToString());
        Assert.Equal("12.5·var(o) − 0.5·cov(t)", (Expr.VariancePenalty(Expr.Online) * 12.5f - 0.5 * Expr.CovariancePenalty(Expr.Target)).ToString());
        Assert.Equal(
            "0.5·CE(diag, [ô·t̂ᵀ/0.5 | dropdiag(ô·ôᵀ/0.5)]) + 0.5·CE(diag, [t̂·ôᵀ/0.5 | dropdiag(t̂·t̂ᵀ/0.5)])",
            Presets.SimClr().ToString());
    }

    [Fact]
    public void A_sum_nested_as_one_term_prints_in_parentheses()
    {
        var inner = Expr.Cosine(Expr.Online, Expr.Target) + 1.0;
        Assert.Equal("2·(1·cos(o, t) + 1)", Expr.Sum([new WeightedTerm(2, inner)]).ToString());
    }

    [Fact]
    public void Operators_flatten_into_one_weighted_sum_with_scaled_weights()
    {
        var a = Expr.Cosine(Expr.Online, Expr.Target);
        var b = Expr.MeanSquaredError(Expr.Online, Expr.Target);
        var sum = (WeightedSum)(2 * (a + 0.5 * b) - b * 3);
        Assert.Equal([2.0, 1.0, -3.0], sum.Terms.Select(t => t.Weight));
        Assert.Equal([a, b, b], sum.Terms.Select(t => t.Term));
    }

    [Fact]
    public void Ill_formed_but_well_typed_expressions_are_rejected_at_compilation()
    {
        var l = Expr.Similarity(Expr.Online, Expr.Target, 0.1);
        // Expr.Kl(l, l) would not compile: CS1503, Expr<Logits> is not Expr<Distribution>.
        Assert.Throws<ArgumentException>(() => Expr.DiagonalCrossEntropy(Expr.DropDiagonal(l)).Compile());
        Assert.Throws<ArgumentException>(() => Expr.DiagonalCrossEntropy(Expr.Transpose(Expr.Candidates(l, Negatives.Sample(2)))).Compile());
        var e = Assert.Throws<ArgumentException>(() => Expr.Kl(Expr.Softmax(l), Expr.Softmax(Expr.Candidates(l, Negatives.Sample(2)))).Compile());
        Assert.Contains("same candidates", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Expr.Similarity(Expr.Online, Expr.Target, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Expr.Constant(double.NaN));
        Assert.Throws<ArgumentException>(() => new Candidates(l, Negatives.All));
    }

    [Fact]
    public void A_stochastic_objective_asks_for_a_generator()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Randn([4, 3], new Generator(1), DType.Float64);
        var compiled = Presets.Relic(negatives: Negatives.Sample(2)).Compile();
        Assert.True(compiled.IsStochastic);
        Assert.Throws<ArgumentException>(() => compiled.Evaluate(x, x));
        Assert.True(double.IsFinite(compiled.AsFunc()(x, x, new Generator(2)).Item()));
    }

    [Fact]
    public void Compiled_objective_does_not_leak_tensors()
    {
        var g = new Generator(1);
        using var o = Torch.Randn([6, 4], g, DType.Float64).DetachFromScope();
        using var t = Torch.Randn([6, 4], g, DType.Float64).DetachFromScope();
        var compiled = Presets.ReLICv2(negatives: Negatives.Sample(3)).Pair.Compile();
        // counted in a thread-local scope, which every tensor created on this thread and not disposed would stay in
        using var scope = Torch.NewScope();
        for (var i = 0; i < 3; i++) compiled.Evaluate(o, t, g).Dispose();
        compiled.EvaluateViews([o, t, o], [t, o], PairingPolicy.ReLICv2(), g).Dispose();
        Assert.Equal(0, scope.Count);
    }
}
