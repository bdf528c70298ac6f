using System.Text.Json;
using ReLICv2.Losses;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>
/// Every Core loss primitive against values and gradients computed independently with PyTorch 1.13 in float64
/// (tests/fixtures-src/objectives/make_objective_fixtures.py).
/// </summary>
public class LossFixtureTests
{
    private const double Tolerance = 1e-10;

    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "objectives", "losses.json"))).RootElement;

    private static double[] Array(string name) => Fixture.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static Tensor Input(string name, long rows) =>
        Torch.FromArray(Array(name), rows, Array(name).Length / rows);

    private static JsonElement Case(string name) =>
        Fixture.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static void AssertClose(double[] expected, double[] actual, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static void Check(string caseName, Func<Tensor, Tensor, Tensor> loss, string first = "online", string second = "target", bool checkSecond = true)
    {
        using var scope = Torch.NewScope();
        var c = Case(caseName);
        var rows = Fixture.GetProperty("n").GetInt64();
        var a = Input(first, rows).RequireGrad();
        var b = Input(second, rows).RequireGrad();
        var value = loss(a, b);
        var grads = Torch.Grad([value], [a, b]);
        Assert.True(Math.Abs(c.GetProperty("value").GetDouble() - value.Item()) <= Tolerance, $"{caseName}: value {value.Item():R} vs {c.GetProperty("value").GetDouble():R}");
        AssertClose(c.GetProperty("grad_online").EnumerateArray().Select(e => e.GetDouble()).ToArray(), grads[0]!.ToArray<double>());
        if (!checkSecond || !c.TryGetProperty("grad_target", out var gt)) return;
        if (gt.ValueKind == JsonValueKind.Null)
            Assert.True(grads[1] is null || grads[1]!.Abs().Max().Item() == 0, $"{caseName}: the target must receive no gradient");
        else
            AssertClose(gt.EnumerateArray().Select(e => e.GetDouble()).ToArray(), grads[1]!.ToArray<double>());
    }

    [Theory]
    [InlineData("Forward"), InlineData("Reverse"), InlineData("Symmetric"), InlineData("NoStopGradient"), InlineData("ReverseNoStopGradient")]
    public void Relic_matches_pytorch_reference_with_all_and_with_sampled_negatives(string handling)
    {
        var kl = Enum.Parse<KlHandling>(handling);
        foreach (var negatives in new[] { "all", "k3" })
        {
            var c = Case($"relic_{handling}_{negatives}");
            using var scope = Torch.NewScope();
            var candidates = negatives == "all" ? null : Torch.FromArray(Array("candidates").Select(v => (long)v).ToArray(), 6, 4);
            Check($"relic_{handling}_{negatives}", (o, t) => RelicLoss.Compute(o, t, 1.3, 0.7, 0.2, kl, candidates).Total);
            var terms = RelicLoss.Compute(Input("online", 6), Input("target", 6), 1.3, 0.7, 0.2, kl, candidates);
            Assert.True(Math.Abs(c.GetProperty("contrastive").GetDouble() - terms.Contrastive.Item()) <= Tolerance);
            Assert.True(Math.Abs(c.GetProperty("invariance").GetDouble() - terms.Invariance.Item()) <= Tolerance);
        }
    }

    [Fact]
    public void NtXent_matches_pytorch_reference() => Check("ntxent", (a, b) => NtXentLoss.Compute(a, b, 0.5));

    [Fact]
    public void Byol_matches_pytorch_reference() => Check("byol", ByolReference.Compute);

    [Fact]
    public void BarlowTwins_official_matches_pytorch_reference() => Check("barlow_official", (a, b) => BarlowTwinsReference.Compute(a, b));

    [Fact]
    public void BarlowTwins_scaled_matches_pytorch_reference() => Check("barlow_scaled", (a, b) => BarlowTwinsReference.Compute(a, b, scale: 0.025));

    [Fact]
    public void VicReg_matches_pytorch_reference() => Check("vicreg", (a, b) => VicRegReference.Compute(a, b));

    [Fact]
    public void Ressl_with_batch_relations_matches_pytorch_reference() => Check("ressl_batch", (o, t) => ResslReference.Compute(o, t));

    [Fact]
    public void Ressl_with_an_anchor_set_matches_pytorch_reference()
    {
        using var scope = Torch.NewScope();
        var anchors = Input("anchors", Fixture.GetProperty("m").GetInt64());
        Check("ressl_anchors", (o, t) => ResslReference.Compute(o, t, anchors));
    }

    [Fact]
    public void Twist_matches_pytorch_reference() => Check("twist", (a, b) => TwistReference.Compute(a, b), "logits_a", "logits_b");
}
