using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>Invariants of the neighbouring objectives (docs/method.md §5, §9.2) on generated float64 embeddings.</summary>
public class NeighbourLossPropertyTests
{
    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a));

    private static void Check(Func<RelicCase, bool> law) =>
        Prop.ForAll(RelicCase.Arbitrary.Filter(c => c.N >= 3), c => Torch.ScopedValue(() => law(c))).Check(RelicCase.Config);

    [Fact]
    public void Barlow_twins_and_vicreg_are_symmetric_in_the_two_views() => Check(c =>
    {
        var (a, b) = (c.Online(), c.Target());
        return Close(BarlowTwinsReference.Compute(a, b).Item(), BarlowTwinsReference.Compute(b, a).Item())
            && Close(VicRegReference.Compute(a, b).Item(), VicRegReference.Compute(b, a).Item());
    });

    [Fact]
    public void NtXent_is_symmetric_and_invariant_to_joint_permutation() => Check(c =>
    {
        var (a, b) = (c.Online(), c.Target());
        var perm = Torch.RandPerm(c.N, new Generator((ulong)c.Seed));
        var loss = NtXentLoss.Compute(a, b, c.Temperature).Item();
        return Close(loss, NtXentLoss.Compute(b, a, c.Temperature).Item())
            && Close(loss, NtXentLoss.Compute(a.IndexSelect(0, perm), b.IndexSelect(0, perm), c.Temperature).Item());
    });

    [Fact]
    public void Byol_lies_in_0_to_4_and_is_scale_invariant() => Check(c =>
    {
        var (p, z) = (c.Online(), c.Target());
        var loss = ByolReference.Compute(p, z).Item();
        return loss is >= 0 and <= 4 && Close(loss, ByolReference.Compute(p * 3.0, z * 0.25).Item()) && Math.Abs(ByolReference.Compute(p, p * 2.0).Item()) < 1e-12;
    });

    [Fact]
    public void Ressl_is_at_least_the_entropy_of_the_target_relation() => Check(c =>
    {
        var (o, t) = (c.Online(), c.Target());
        var tn = Torch.Normalize(t);
        var logPt = ResslLoss.OffDiagonal(tn.Matmul(tn.T()) / 0.04).LogSoftmax(1);
        return ResslReference.Compute(o, t).Item() >= TwistLoss.MeanEntropy(logPt).Item() - 1e-9;
    });

    [Fact]
    public void Twist_collapse_is_zero_and_not_a_minimum() => Check(c =>
    {
        var (a, b) = (c.Online() * 3.0, c.Target() * 3.0);
        var collapsed = Torch.Zeros([c.N, c.D], DType.Float64);
        var loss = TwistReference.Compute(a, b).Item();
        return Math.Abs(TwistReference.Compute(collapsed, collapsed).Item()) < 1e-12
            && loss >= -Math.Log(c.D) - 1e-9
            && Close(loss, TwistReference.Compute(b, a).Item());
    });

    [Fact]
    public void Twist_has_a_configuration_below_the_collapsed_value()
    {
        using var scope = Torch.NewScope();
        var confident = Torch.Eye(4, null, DType.Float64) * 30.0;   // each sample sure of a different class, both views agree
        Assert.True(TwistReference.Compute(confident, confident).Item() < -Math.Log(4) + 1e-6);
    }
}
