using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// User-defined primitives compose with the built-in nodes: they print, report their gradient flow as autograd sees it,
/// round-trip through JSON by registered name, compile (value, shared sub-expressions, one-pass terms) and are refused
/// under data parallelism unless declared row-wise.
/// </summary>
public class PrimitiveTests
{
    private static readonly Expr<Embeddings> O = Expr.Normalize(Expr.Online);
    private static readonly Expr<Embeddings> T = Expr.StopGradient(Expr.Normalize(Expr.Target));

    private static Objective Composite() =>
        Presets.Relic(temperature: 0.2)
        + 0.1 * TestPrimitives.Uniformity.Apply([O], [2.0])
        + 0.5 * Expr.MeanSquaredError(TestPrimitives.Squash.Apply<Embeddings>([Expr.Online], [1.5]), T)
        + TestPrimitives.Distance[2].Apply([Expr.Online, Expr.Target]);

    /// <summary>log of the mean over ordered pairs i ≠ j of exp(−t‖zᵢ − zⱼ‖²), zᵢ = xᵢ/‖xᵢ‖, with plain loops.</summary>
    private static double UniformityReference(double[] x, int n, int d, double t)
    {
        var z = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var norm = Math.Sqrt(Enumerable.Range(0, d).Sum(k => x[i * d + k] * x[i * d + k]));
            for (var k = 0; k < d; k++) z[i * d + k] = x[i * d + k] / norm;
        }
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i == j) continue;
                var squared = Enumerable.Range(0, d).Sum(k => (z[i * d + k] - z[j * d + k]) * (z[i * d + k] - z[j * d + k]));
                sum += Math.Exp(-t * squared);
            }
        }
        return Math.Log(sum / (n * (n - 1.0)));
    }

    [Fact]
    public void Uniformity_primitive_evaluates_to_the_independently_computed_value()
    {
        using var scope = Torch.NewScope();
        const int n = 7, d = 4;
        var online = Torch.Randn([n, d], new Generator(11), DType.Float64);
        var target = Torch.Randn([n, d], new Generator(12), DType.Float64);
        foreach (var t in new[] { 0.5, 2.0, 5.0 })
        {
            var value = TestPrimitives.Uniformity.Apply([O], [t]).Compile().Evaluate(online, target).Item();
            var expected = UniformityReference(online.ToArray<double>(), n, d, t);
            Assert.True(Math.Abs(value - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"t = {t}: {value:R} vs {expected:R}");
        }
        // composed with built-ins, the primitive term adds exactly its weighted value
        var relic = Presets.Relic(temperature: 0.2);
        var both = (relic + 0.1 * TestPrimitives.Uniformity.Apply([O], [2.0])).Compile().Evaluate(online, target).Item();
        var expectedSum = relic.Compile().Evaluate(online, target).Item() + 0.1 * UniformityReference(online.ToArray<double>(), n, d, 2.0);
        Assert.True(Math.Abs(both - expectedSum) <= 1e-12, $"{both:R} vs {expectedSum:R}");
    }

    [Fact]
    public void Primitives_print_by_name_with_parameters_or_in_their_declared_format()
    {
        Assert.Equal("test.uniformity(ô; t=2)", TestPrimitives.Uniformity.Apply([O], [2.0]).ToString());
        Assert.Equal("tanh(1.5·o)", TestPrimitives.Squash.Apply<Embeddings>([Expr.Online], [1.5]).ToString());
        Assert.Equal("test.distance2(o, t)", TestPrimitives.Distance[2].Apply([Expr.Online, Expr.Target]).ToString());
        Assert.Equal(
            "1·CE(diag, ô·sg[t̂]ᵀ/0.2) + 1·KL(softmax(ô·sg[t̂]ᵀ/0.2) ‖ sg[softmax(sg[t̂]·ôᵀ/0.2)]) + 0.1·test.uniformity(ô; t=2) + 0.5·MSE(tanh(1.5·o), sg[t̂]) + 1·test.distance2(o, t)",
            Composite().ToString());
    }

    [Fact]
    public void Primitive_applications_are_values_with_structural_equality()
    {
        Assert.Equal(TestPrimitives.Uniformity.Apply([O], [2.0]), TestPrimitives.Uniformity.Apply([Expr.Normalize(Expr.Online)], [2.0]));
        Assert.Equal(TestPrimitives.Uniformity.Apply([O], [2.0]).GetHashCode(), TestPrimitives.Uniformity.Apply([Expr.Normalize(Expr.Online)], [2.0]).GetHashCode());
        Assert.NotEqual(TestPrimitives.Uniformity.Apply([O], [2.0]), TestPrimitives.Uniformity.Apply([O], [3.0]));
        Assert.NotEqual(TestPrimitives.Uniformity.Apply([O], [2.0]), TestPrimitives.Uniformity.Apply([Expr.Online], [2.0]));
        Assert.NotEqual(TestPrimitives.Distance[0].Apply([Expr.Online, Expr.Target]), TestPrimitives.Distance[1].Apply([Expr.Online, Expr.Target]));
    }

    [Fact]
    public void A_composition_with_primitives_survives_a_json_round_trip()
    {
        var objective = Composite();
        var json = ObjectiveJson.Serialize(objective);
        Assert.Contains("{\"op\":\"primitiveObjective\",\"primitive\":\"test.uniformity\",\"inputs\":[{\"op\":\"normalize\"", json);
        Assert.Contains("\"op\":\"primitiveExpression.embeddings\",\"primitive\":\"test.squash\"", json);
        var back = ObjectiveJson.Deserialize(json);
        Assert.Equal(objective, back);
        Assert.Equal(objective.ToString(), back.ToString());
        var paired = new PairedObjective(objective, PairingPolicy.ReLICv2());
        Assert.Equal(paired, ObjectiveJson.DeserializePaired(ObjectiveJson.Serialize(paired)));
    }

    [Fact]
    public void An_experiment_with_a_primitive_in_its_objective_round_trips_through_experiment_json()
    {
        var experiment = Experiment.FashionMnistReLICv2().With(objective: new PairedObjective(Composite(), PairingPolicy.ReLICv2()));
        var json = experiment.ToJson();
        Assert.Contains("\"primitive\": \"test.uniformity\"", json);
        var back = Experiment.FromJson(json);
        Assert.Equal(experiment.Objective, back.Objective);
        Assert.Equal(json, back.ToJson());
        var unknown = Assert.ThrowsAny<JsonException>(() => Experiment.FromJson(json.Replace("\"test.squash\"", "\"test.elsewhere\"", StringComparison.Ordinal)));
        Assert.Contains("unknown primitive 'test.elsewhere'", unknown.Message);
    }

    [Fact]
    public void An_unregistered_primitive_name_in_json_is_an_error_naming_it_and_listing_the_registered_ones()
    {
        var json = ObjectiveJson.Serialize(TestPrimitives.Uniformity.Apply([O], [2.0])).Replace("\"test.uniformity\"", "\"test.nowhere\"", StringComparison.Ordinal);
        var e = Assert.Throws<JsonException>(() => ObjectiveJson.Deserialize(json));
        Assert.Contains("unknown primitive 'test.nowhere'", e.Message);
        Assert.Contains("test.uniformity", e.Message);
        Assert.Contains("test.squash", e.Message);
        var unregistered = new Primitive("test.unregistered", typeof(Scalar), [typeof(Embeddings)], (x, _) => x[0].Mean());
        var write = Assert.Throws<JsonException>(() => ObjectiveJson.Serialize(unregistered.Apply([Expr.Online])));
        Assert.Contains("'test.unregistered' is not registered", write.Message);
        var clash = Assert.Throws<ArgumentException>(() => PrimitiveRegistry.Register(new Primitive("test.uniformity", typeof(Scalar), [typeof(Embeddings)], (x, _) => x[0].Mean())));
        Assert.Contains("'test.uniformity' is already registered", clash.Message);
        Assert.Same(TestPrimitives.Uniformity, PrimitiveRegistry.Register(TestPrimitives.Uniformity));
        Assert.Contains("no primitive named 'test.nowhere'", Assert.Throws<KeyNotFoundException>(() => PrimitiveRegistry.Get("test.nowhere")).Message);
    }

    [Fact]
    public void Replacing_a_definition_rebinds_its_name_and_the_earlier_one_no_longer_writes_json()
    {
        var first = PrimitiveRegistry.Register(new Primitive("test.redefined", typeof(Scalar), [typeof(Embeddings)], (x, _) => x[0].Mean()));
        var second = new Primitive("test.redefined", typeof(Scalar), [typeof(Embeddings)], (x, _) => x[0].Pow(2).Mean());
        Assert.Throws<ArgumentException>(() => PrimitiveRegistry.Register(second));
        Assert.Same(second, PrimitiveRegistry.Register(second, replace: true));
        Assert.Same(second, PrimitiveRegistry.Get("test.redefined"));
        Assert.False(PrimitiveRegistry.IsRegistered(first));
        Assert.Throws<JsonException>(() => ObjectiveJson.Serialize(first.Apply([Expr.Online])));
        var json = ObjectiveJson.Serialize(second.Apply([Expr.Online]));
        Assert.Equal(second.Apply([Expr.Online]), ObjectiveJson.Deserialize(json));
    }

    [Fact]
    public void Declarations_and_applications_are_validated_where_they_are_made()
    {
        Tensor Forward(IReadOnlyList<Tensor> x, IReadOnlyList<double> p) => x[0];
        Assert.Contains("name '9lives' is not allowed", Assert.Throws<ArgumentException>(() => new Primitive("9lives", typeof(Scalar), [], Forward)).Message);
        Assert.Contains("result kind Logits is not allowed", Assert.Throws<ArgumentException>(() => new Primitive("p", typeof(Logits), [], Forward)).Message);
        Assert.Contains("input 0 has kind String", Assert.Throws<ArgumentException>(() => new Primitive("p", typeof(Scalar), [typeof(string)], Forward)).Message);
        Assert.Contains("stop-gradient input index 1 is out of range; allowed: 0 … 0",
            Assert.Throws<ArgumentException>(() => new Primitive("p", typeof(Scalar), [typeof(Embeddings)], Forward, stopGradient: [1])).Message);
        var u = TestPrimitives.Uniformity;
        Assert.Contains("takes 1 input(s) (Embeddings); got 2", Assert.Throws<ArgumentException>(() => u.Apply([O, O], [1.0])).Message);
        Assert.Contains("input 0 must be an Expr<Embeddings>", Assert.Throws<ArgumentException>(() => u.Apply([Expr.Softmax(Expr.AsLogits(Expr.Online))], [1.0])).Message);
        Assert.Contains("takes 1 parameter(s) (t); got 0", Assert.Throws<ArgumentException>(() => u.Apply([O])).Message);
        Assert.Contains("parameter t must be finite", Assert.Throws<ArgumentOutOfRangeException>(() => u.Apply([O], [double.NaN])).Message);
        Assert.Contains("not Scalar; use Apply<Embeddings>", Assert.Throws<ArgumentException>(() => TestPrimitives.Squash.Apply([O], [1.0])).Message);
        // The records' own constructors check the value kind and the call too.
        Assert.Contains("PrimitiveObjective: primitive 'test.squash' has value kind Embeddings, not Scalar",
            Assert.Throws<ArgumentException>(() => new PrimitiveObjective(TestPrimitives.Squash, [O], [1.0])).Message);
        Assert.Contains("PrimitiveExpression<Embeddings>: primitive 'test.uniformity' has value kind Scalar, not Embeddings",
            Assert.Throws<ArgumentException>(() => new PrimitiveExpression<Embeddings>(u, [O], [1.0])).Message);
        Assert.Contains("takes 1 parameter(s) (a); got 0", Assert.Throws<ArgumentException>(() => new PrimitiveExpression<Embeddings>(TestPrimitives.Squash, [O], [])).Message);
        var wrongRank = new Primitive("test.wrongRank", typeof(Scalar), [typeof(Embeddings)], Forward).Apply([Expr.Online]).Compile();
        using var scope = Torch.NewScope();
        var x = Torch.Randn([3, 2], new Generator(1), DType.Float64);
        Assert.Contains("must return a tensor of rank 0 (Scalar); got shape [3, 2]", Assert.Throws<InvalidOperationException>(() => wrongRank.Evaluate(x, x)).Message);
    }

    /// <summary>An input of a primitive: o or t, possibly normalised, squashed or stopped.</summary>
    private static Gen<Expr<Embeddings>> Input => Gen.Elements<Expr<Embeddings>>(
        Expr.Online, Expr.Target, O, Expr.Normalize(Expr.Target), T, Expr.StopGradient(Expr.Online),
        TestPrimitives.Squash.Apply<Embeddings>([Expr.Target], [0.7]), TestPrimitives.Squash.Apply<Embeddings>([O], [2.0]));

    [Fact]
    public void Declared_stop_gradient_inputs_receive_no_gradient_and_the_others_do_as_autograd_reports() =>
        Prop.ForAll(Gen.Zip(Gen.Choose(0, 3), Gen.Zip(Input, Input), (mask, ab) => (Mask: mask, A: ab.Item1, B: ab.Item2)).ToArbitrary(), c => Torch.ScopedValue(() =>
        {
            var objective = TestPrimitives.Distance[c.Mask].Apply([c.A, c.B]) + TestPrimitives.Uniformity.Apply([c.A], [1.0]);
            var expected = ((c.Mask & 1) == 0 ? c.A.Flow : GradientFlow.None) | ((c.Mask & 2) == 0 ? c.B.Flow : GradientFlow.None) | c.A.Flow;
            var distanceOnly = TestPrimitives.Distance[c.Mask].Apply([c.A, c.B]);
            var o = Torch.Randn([5, 3], new Generator(3), DType.Float64).RequireGrad();
            var t = Torch.Randn([5, 3], new Generator(4), DType.Float64).RequireGrad();
            bool Agrees(Objective x)
            {
                var value = x.Compile().Evaluate(o, t);
                if (!value.RequiresGrad) return x.Flow == GradientFlow.None;
                var grads = Torch.Grad([value], [o, t]);
                return (grads[0] is not null) == x.Flow.Online && (grads[1] is not null) == x.Flow.Target;
            }
            return objective.Flow == expected && Agrees(objective) && Agrees(distanceOnly);
        })).Check(Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true));

    [Fact]
    public void A_primitive_shared_by_several_terms_is_evaluated_once_per_pair_in_the_one_pass_term_evaluation()
    {
        using var scope = Torch.NewScope();
        var shared = TestPrimitives.Counted.Apply([Expr.Online, Expr.Target]);
        var objective = shared + 2.0 * shared + Presets.Relic();
        var compiled = objective.Compile();
        var online = Enumerable.Range(0, 3).Select(i => Torch.Randn([4, 3], new Generator((ulong)i), DType.Float64)).ToArray();
        var targets = online.Take(2).Select(v => v + 0.1).ToArray();
        var pairing = PairingPolicy.ReLICv2();
        var pairs = pairing.Pairs(2, 1).Count;
        var before = TestPrimitives.CountedCalls;
        var terms = compiled.EvaluateTerms(online, targets, pairing);
        Assert.Equal(pairs, TestPrimitives.CountedCalls - before);
        var whole = compiled.EvaluateViews(online, targets, pairing).Item();
        var weighted = objective.AsTerms().Select((w, k) => w.Weight * terms[k].Item()).Sum();
        Assert.True(Math.Abs(whole - weighted) <= 1e-12, $"{whole:R} vs {weighted:R}");
    }

    [Fact]
    public void The_engine_reports_a_primitive_term_under_the_primitive_name()
    {
        using var scope = Torch.NewScope();
        var loss = PretrainingAdapters.Loss(new PairedObjective(Composite(), PairingPolicy.ReLICv2()));
        var online = Enumerable.Range(0, 2).Select(i => Torch.Randn([4, 3], new Generator((ulong)i), DType.Float64)).ToArray();
        var value = loss(online, online, new Generator(1), null);
        Assert.Equal(new[] { "contrastive", "invariance", "meansquarederror", "test.distance2", "test.uniformity" }, value.Terms.Keys.Order(StringComparer.Ordinal));
        var expected = TestPrimitives.Uniformity.Apply([O], [2.0]).Compile().EvaluateViews(online, online, PairingPolicy.ReLICv2()).Item();
        Assert.Equal(expected, value.Terms["test.uniformity"].Item(), 12);
    }

    [Fact]
    public void Undeclared_or_whole_batch_primitives_are_refused_data_parallel_and_row_wise_ones_are_not()
    {
        var whole = (Presets.Relic() + TestPrimitives.Uniformity.Apply([O], [2.0])).Compile();
        var problem = Assert.Single(whole.DataParallelProblems);
        Assert.StartsWith("Primitive 'test.uniformity' test.uniformity(ô; t=2): needs the whole batch (the primitive declares PrimitiveLocality.WholeBatch)", problem);
        var undeclared = (Presets.Relic() + TestPrimitives.Distance[2].Apply([Expr.Online, Expr.Target])).Compile();
        Assert.Contains("the primitive does not declare its locality", Assert.Single(undeclared.DataParallelProblems));
        Assert.Contains("test.distance2(o, t)", Assert.Throws<InvalidOperationException>(() => undeclared.ValidateForDataParallel(2)).Message);
        var rowWise = Expr.DiagonalCrossEntropy(Expr.Similarity(TestPrimitives.Squash.Apply<Embeddings>([O], [2.0]), Expr.StopGradient(TestPrimitives.Squash.Apply<Embeddings>([Expr.Target], [2.0])), 0.3))
            + Expr.MeanSquaredError(TestPrimitives.Squash.Apply<Embeddings>([Expr.Online], [1.0]), T);
        Assert.True(rowWise.Compile().IsDataParallelSafe, string.Join("; ", rowWise.Compile().DataParallelProblems));
        // row-wise is not enough on the candidate side: gathered candidates carry no gradient, so they need a stop-gradient
        var throughCandidates = Expr.DiagonalCrossEntropy(Expr.Similarity(O, TestPrimitives.Squash.Apply<Embeddings>([Expr.Target], [2.0]), 0.3));
        Assert.Contains(throughCandidates.Compile().DataParallelProblems, p => p.Contains("its candidates (columns) tanh(2·t) receive a gradient", StringComparison.Ordinal));
    }
}
