using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>
/// The ReLIC preset (built from DSL primitives) computes exactly Core's <see cref="RelicLoss"/> — value and gradient — on
/// generated sizes, temperatures, α, β, KL handlings and negative counts, so every docs/method.md §9.1 property proved for the Core loss
/// holds for the preset too.
/// </summary>
public class RelicPresetPropertyTests
{
    private sealed record Case(int N, int D, double Tau, double Alpha, double Beta, KlHandling Kl, int K, int Seed);

    private static readonly Arbitrary<Case> Cases =
        (from n in Gen.Choose(2, 7)
         from d in Gen.Choose(2, 5)
         from tau in Gen.Elements(0.05, 0.2, 1.0)
         from alpha in Gen.Elements(0.0, 0.5, 2.0)
         from beta in Gen.Elements(0.5, 1.0)
         from kl in Gen.Elements(Enum.GetValues<KlHandling>())
         from k in Gen.Choose(0, n - 1)
         from seed in Gen.Choose(0, 100_000)
         select new Case(n, d, tau, alpha, beta, kl, k, seed)).ToArbitrary();

    [Fact]
    public void Relic_preset_equals_the_core_relic_loss_in_value_and_gradient() =>
        Prop.ForAll(Cases, c => Torch.ScopedValue(() =>
        {
            var negatives = c.K == 0 ? Negatives.All : Negatives.Sample(c.K);
            var o = Torch.Randn([c.N, c.D], new Generator((ulong)c.Seed), DType.Float64).RequireGrad();
            var t = Torch.Randn([c.N, c.D], new Generator((ulong)c.Seed + 1), DType.Float64);
            var dsl = Presets.Relic(c.Beta, c.Alpha, c.Tau, negatives, c.Kl).Compile().Evaluate(o, t, new Generator(5));
            var core = RelicLoss.Compute(o, t, negatives, new Generator(5), c.Beta, c.Alpha, c.Tau, c.Kl).Total;
            var gd = Torch.Grad([dsl], [o])[0]!;
            var gc = Torch.Grad([core], [o])[0]!;
            return Math.Abs(dsl.Item() - core.Item()) <= 1e-10 && (gd - gc).Abs().Max().Item() <= 1e-10;
        })).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true));
}
