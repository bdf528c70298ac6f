using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>Pair counts and averaging of the view-set pairing policies (docs/method.md §3, §9.3).</summary>
public class PairingPolicyTests
{
    private static readonly Arbitrary<(int Large, int Small)> ViewCounts =
        Gen.Choose(1, 8).SelectMany(l => Gen.Choose(0, 6), (l, s) => (l, s)).ToArbitrary();

    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true);

    [Fact]
    public void ReLICv2_pairing_with_same_view_pairs_has_L_squared_plus_S_L_pairs() =>
        Prop.ForAll(ViewCounts, v =>
        {
            var pairs = PairingPolicy.ReLICv2(includeSameView: true).Pairs(v.Large, v.Small);
            return pairs.Count == v.Large * v.Large + v.Small * v.Large
                && pairs.Count == (v.Large + v.Small) * v.Large
                && pairs.Distinct().Count() == pairs.Count
                && pairs.All(p => p.Target < v.Large && p.Online < v.Large + v.Small);
        }).Check(Config);

    [Fact]
    public void ReLICv2_pairing_without_same_view_pairs_has_L_times_L_minus_1_plus_S_L_pairs() =>
        Prop.ForAll(ViewCounts.Filter(v => v.Large + v.Small >= 2), v =>
        {
            var pairs = PairingPolicy.ReLICv2(includeSameView: false).Pairs(v.Large, v.Small);
            var dino = PairingPolicy.DinoStyle.Pairs(v.Large, v.Small);
            return pairs.Count == v.Large * (v.Large - 1) + v.Small * v.Large
                && pairs.All(p => p.Online != p.Target)
                && dino.SequenceEqual(pairs);
        }).Check(Config);

    [Fact]
    public void Two_view_symmetric_pairing_averages_both_directions()
    {
        using var scope = Torch.NewScope();
        var g = new Generator(3);
        var views = new[] { Torch.Randn([5, 4], g, DType.Float64), Torch.Randn([5, 4], g, DType.Float64) };
        var byol = Presets.Byol().Compile();
        var value = byol.EvaluateViews(views, views, PairingPolicy.TwoViewSymmetric).Item();
        var expected = 0.5 * (ByolReference.Compute(views[0], views[1]).Item() + ByolReference.Compute(views[1], views[0]).Item());
        Assert.Equal(expected, value, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => PairingPolicy.TwoViewSymmetric.Pairs(2, 1));
        Assert.Throws<ArgumentException>(() => new PairingPolicy(PairingKind.SkipSameView, includeSameView: true));
    }

    [Fact]
    public void View_set_loss_divides_by_the_pair_count()
    {
        using var scope = Torch.NewScope();
        var g = new Generator(4);
        var online = Enumerable.Range(0, 3).Select(_ => Torch.Randn([5, 4], g, DType.Float64)).ToArray();
        var targets = online.Take(2).ToArray();
        var compiled = Presets.Relic(temperature: 0.3).Compile();
        var pairs = PairingPolicy.ReLICv2(false).Pairs(2, 1);
        var sum = pairs.Sum(p => compiled.Evaluate(online[p.Online], targets[p.Target]).Item());
        Assert.Equal(4, pairs.Count);
        Assert.Equal(sum / 4, compiled.EvaluateViews(online, targets, PairingPolicy.ReLICv2(false)).Item(), 12);
    }
}
