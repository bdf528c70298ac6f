using System.Text.Json;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>
/// The presets, written with the public primitives, agree with the PyTorch reference values (fixture) and with the Core
/// loss primitives, values and gradients, in float64.
/// </summary>
public class PresetTests
{
    private const double Tolerance = 1e-10;

    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "objectives", "losses.json"))).RootElement;

    private static double[] Array(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static Tensor Input(string name) => Torch.FromArray(Array(Fixture.GetProperty(name)), 6, Array(Fixture.GetProperty(name)).Length / 6);

    private static JsonElement Case(string name) =>
        Fixture.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static void CheckAgainstFixture(string caseName, Objective objective, string first = "online", string second = "target")
    {
        using var scope = Torch.NewScope();
        var c = Case(caseName);
        var a = Input(first).RequireGrad();
        var b = Input(second).RequireGrad();
        var value = objective.Compile().Evaluate(a, b);
        var grads = Torch.Grad([value], [a, b], retainGraph: true);
        AssertClose([c.GetProperty("value").GetDouble()], [value.Item()], caseName + " value");
        AssertClose(Array(c.GetProperty("grad_online")), grads[0]!.ToArray<double>(), caseName + " ∂/∂online");
        if (c.TryGetProperty("grad_target", out var gt) && gt.ValueKind != JsonValueKind.Null)
            AssertClose(Array(gt), grads[1]!.ToArray<double>(), caseName + " ∂/∂target");
    }

    [Theory]
    [InlineData(KlHandling.Forward), InlineData(KlHandling.Reverse), InlineData(KlHandling.Symmetric), InlineData(KlHandling.NoStopGradient), InlineData(KlHandling.ReverseNoStopGradient)]
    public void Relic_preset_matches_pytorch_reference(KlHandling kl) =>
        CheckAgainstFixture($"relic_{kl}_all", Presets.Relic(beta: 1.3, alpha: 0.7, temperature: 0.2, kl: kl));

    [Theory]
    [InlineData(KlHandling.Forward), InlineData(KlHandling.Symmetric), InlineData(KlHandling.ReverseNoStopGradient)]
    public void Relic_preset_with_sampled_negatives_matches_the_core_loss_for_the_same_draw(KlHandling kl)
    {
        using var scope = Torch.NewScope();
        var o = Torch.Randn([8, 5], new Generator(1), DType.Float64).RequireGrad();
        var t = Torch.Randn([8, 5], new Generator(2), DType.Float64);
        var dsl = Presets.Relic(1.3, 0.7, 0.2, Negatives.Sample(3), kl).Compile().Evaluate(o, t, new Generator(7));
        var core = RelicLoss.Compute(o, t, Negatives.Sample(3), new Generator(7), 1.3, 0.7, 0.2, kl).Total;
        AssertClose([core.Item()], [dsl.Item()], "value");
        AssertClose(Torch.Grad([core], [o])[0]!.ToArray<double>(), Torch.Grad([dsl], [o])[0]!.ToArray<double>(), "∂/∂online");
    }

    [Fact]
    public void SimClr_preset_matches_pytorch_reference() => CheckAgainstFixture("ntxent", Presets.SimClr(0.5));

    [Fact]
    public void Byol_preset_matches_pytorch_reference() => CheckAgainstFixture("byol", Presets.Byol());

    /// <summary>Barlow Twins with plain loops: ẑ = (z − mean)/sqrt(biased var + ε) per dimension, C = ẑ_aᵀẑ_b/N, λ-weighted penalties.</summary>
    private static double BarlowByHand(double[] a, double[] b, int n, int d, double lambda, double eps)
    {
        double[] Standardised(double[] z)
        {
            var result = new double[n * d];
            for (var k = 0; k < d; k++)
            {
                var mean = Enumerable.Range(0, n).Average(i => z[i * d + k]);
                var variance = Enumerable.Range(0, n).Average(i => (z[i * d + k] - mean) * (z[i * d + k] - mean));
                for (var i = 0; i < n; i++) result[i * d + k] = (z[i * d + k] - mean) / Math.Sqrt(variance + eps);
            }
            return result;
        }
        var (x, y) = (Standardised(a), Standardised(b));
        var loss = 0.0;
        for (var k = 0; k < d; k++)
        {
            for (var l = 0; l < d; l++)
            {
                var c = Enumerable.Range(0, n).Sum(i => x[i * d + k] * y[i * d + l]) / n;
                loss += k == l ? (1 - c) * (1 - c) : lambda * c * c;
            }
        }
        return loss;
    }

    [Theory]
    [InlineData(0.0), InlineData(1e-5), InlineData(0.5)]
    public void BarlowTwins_standardisation_eps_gives_the_hand_computed_value_and_survives_json(double eps)
    {
        using var scope = Torch.NewScope();
        var (a, b) = (Input("online"), Input("target"));
        var (n, d) = ((int)a.Size(0), (int)a.Size(1));
        var preset = Presets.BarlowTwins(lambda: 5e-3, eps: eps);
        var expected = BarlowByHand(a.ToArray<double>(), b.ToArray<double>(), n, d, 5e-3, eps);
        var actual = preset.Compile().Evaluate(a, b).Item();
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"ε = {eps}: expected {expected:R}, got {actual:R}");
        Assert.Equal(preset, ObjectiveJson.Deserialize(ObjectiveJson.Serialize(preset)));
        Assert.Equal(eps == 1e-5 ? "standardise(o)" : "standardise(o, ε=" + eps.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ")", ((Standardise)((CrossCorrelation)((OnDiagonalPenalty)preset.AsTerms()[0].Term).Input).Left).ToString());
        Assert.Equal(BarlowTwinsReference.Compute(a, b, 5e-3, 1, eps).Item(), actual, 12);
    }

    [Fact]
    public void BarlowTwins_eps_changes_the_value_and_a_negative_eps_is_refused()
    {
        using var scope = Torch.NewScope();
        var (a, b) = (Input("online"), Input("target"));
        Assert.NotEqual(Presets.BarlowTwins(eps: 0).Compile().Evaluate(a, b).Item(), Presets.BarlowTwins().Compile().Evaluate(a, b).Item());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Presets.BarlowTwins(eps: -1e-3));
        Assert.Contains("Eps", e.Message);
    }

    [Fact]
    public void BarlowTwins_presets_match_pytorch_reference()
    {
        CheckAgainstFixture("barlow_official", Presets.BarlowTwins());
        CheckAgainstFixture("barlow_scaled", Presets.BarlowTwinsScaled());
    }

    [Fact]
    public void VicReg_preset_matches_pytorch_reference() => CheckAgainstFixture("vicreg", Presets.VicReg());

    [Fact]
    public void Ressl_preset_matches_pytorch_reference() => CheckAgainstFixture("ressl_batch", Presets.Ressl());

    [Fact]
    public void Twist_preset_matches_pytorch_reference() => CheckAgainstFixture("twist", Presets.Twist(), "logits_a", "logits_b");

    [Fact]
    public void ReLICv2_preset_is_the_mean_of_the_relic_loss_over_all_online_views_and_large_targets()
    {
        using var scope = Torch.NewScope();
        var g = new Generator(3);
        var online = Enumerable.Range(0, 4).Select(_ => Torch.Randn([6, 5], g, DType.Float64)).ToArray();
        var targets = online.Take(2).Select(x => x + 0.1 * Torch.Randn([6, 5], g, DType.Float64)).ToArray();
        var preset = Presets.ReLICv2(temperature: 0.2, negatives: Negatives.All);
        var value = preset.Evaluate(online, targets).Item();
        double expected = 0;
        for (var a = 0; a < 4; a++)
            for (var t = 0; t < 2; t++)
                expected += RelicLoss.Compute(online[a], targets[t], temperature: 0.2).Total.Item();
        Assert.Equal(expected / (2 * 2 + 2 * 2), value, 12);
    }

    [Fact]
    public void ReLICv2_preset_prints_as_its_formula()
    {
        Assert.Equal(
            "mean over pairs [all views × large targets (same-view pairs included)] of "
            + "1·CE(diag, (ô·sg[t̂]ᵀ/0.1)|k=10) + 1·KL(softmax((ô·sg[t̂]ᵀ/0.1)|k=10) ‖ sg[softmax((sg[t̂]·ôᵀ/0.1)|k=10)])",
            Presets.ReLICv2().ToString());
    }

    [Fact]
    public void Byol_preset_prints_with_its_constant() =>
        Assert.Equal("2 − 2·cos(o, sg[t])", Presets.Byol().ToString());
}
