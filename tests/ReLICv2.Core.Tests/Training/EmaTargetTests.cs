using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Nn;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

public class EmaTargetTests
{
    private static Sequential Net(ulong seed)
    {
        using var g = new Generator(seed);
        return new Sequential(new Linear(3, 4, g), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, g));
    }

    /// <summary>Changes every weight and running statistic of <paramref name="online"/> (an optimiser step plus a BN update).</summary>
    private static void Perturb(Module online, ulong seed)
    {
        using var scope = Torch.NewScope();
        var g = new Generator(seed);
        using (Torch.NoGrad())
            foreach (var p in online.Parameters()) p.Add_(Torch.Randn(p.Shape, g));
        online.Train();
        online.Forward(Torch.Randn(g, 8, 3));
    }

    private static Config Quick => Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true);

    [Fact]
    public void Gamma_one_leaves_the_target_unchanged()
    {
        Prop.ForAll(Gen.Choose(1, 10_000).ToArbitrary(), seed =>
        {
            using var online = Net((ulong)seed);
            using var ema = new EmaTarget(online, EmaSchedule.Constant(1.0));
            using var before = new StateDict(ema.Target.StateDict().Entries.Select(e => new NamedTensor(e.Name, e.Tensor.Detach().Clone().DetachFromScope())), ownsTensors: true);
            Perturb(online, (ulong)seed + 1);
            ema.Update(online);
            return ema.Target.StateDict().Where(kv => kv.Key != "1.num_batches_tracked").All(kv => kv.Value.Equal(before[kv.Key]));
        }).Check(Quick);
    }

    [Fact]
    public void Gamma_zero_copies_the_online_weights_and_statistics()
    {
        Prop.ForAll(Gen.Choose(1, 10_000).ToArbitrary(), seed =>
        {
            using var online = Net((ulong)seed);
            using var ema = new EmaTarget(online, EmaSchedule.Constant(0.0));
            Perturb(online, (ulong)seed + 1);
            ema.Update(online);
            return online.StateDict().All(kv => kv.Value.Equal(ema.Target.StateDict()[kv.Key]));
        }).Check(Quick);
    }

    [Fact]
    public void Update_is_the_convex_combination_for_weights_and_running_statistics()
    {
        using var online = Net(3);
        using var ema = new EmaTarget(online, EmaSchedule.Constant(0.9));
        using var scope = Torch.NewScope();
        var before = ema.Target.StateDict().Entries.ToDictionary(e => e.Name, e => e.Tensor.Detach().To(DType.Float64));
        Perturb(online, 4);
        ema.Update(online);
        foreach (var (key, t) in ema.Target.StateDict())
        {
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                Assert.Equal(online.StateDict()[key].ItemLong(), t.ItemLong());
                continue;
            }
            var expected = before[key].Mul(0.9).Add(online.StateDict()[key].Detach().To(DType.Float64).Mul(0.1));
            Assert.True(t.Detach().To(DType.Float64).AllClose(expected, 1e-6, 1e-7), key);
        }
        Assert.Equal(1, ema.Updates);
    }

    [Fact]
    public void Keep_leaves_buffers_alone_and_copy_copies_them()
    {
        using var online = Net(5);
        using var keep = new EmaTarget(online, EmaSchedule.Constant(0.5), EmaBuffers.Keep);
        using var copy = new EmaTarget(online, EmaSchedule.Constant(0.5), EmaBuffers.Copy);
        Perturb(online, 6);
        keep.Update(online);
        copy.Update(online);
        using var scope = Torch.NewScope();
        Assert.True(keep.Target.StateDict()["1.running_mean"].Equal(Torch.Zeros(4)));
        Assert.True(copy.Target.StateDict()["1.running_mean"].Equal(online.StateDict()["1.running_mean"]));
        Assert.False(copy.Target.StateDict()["0.weight"].Equal(online.StateDict()["0.weight"]));
    }

    [Fact]
    public void Target_parameters_never_require_grad_and_receive_no_gradient()
    {
        Prop.ForAll(Gen.Choose(1, 10_000).ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (seed, updates) =>
        {
            using var online = Net((ulong)seed);
            using var ema = new EmaTarget(online, EmaSchedule.Cosine(0.9, 5));
            for (var i = 0; i < updates; i++)
            {
                Perturb(online, (ulong)(seed + i));
                ema.Update(online);
            }
            using var scope = Torch.NewScope();
            var x = Torch.Randn(new Generator((ulong)seed), 4, 3);
            var loss = online.Forward(x).Sub(ema.Target.Forward(x)).Square().Sum();
            loss.Backward();
            return ema.Target.Parameters().All(p => !p.RequiresGrad && p.Grad is null)
                && online.Parameters().All(p => p.RequiresGrad && p.Grad is not null);
        }).Check(Quick);
    }

    [Fact]
    public void Cosine_schedule_is_monotone_with_exact_endpoints()
    {
        var arb = Gen.Choose(0, 1000).Select(i => i / 1000.0).ToArbitrary();
        Prop.ForAll(arb, Gen.Choose(1, 5000).ToArbitrary(), (baseGamma, total) =>
        {
            var s = EmaSchedule.Cosine(baseGamma, total);
            if (s.Gamma(0) != baseGamma || s.Gamma(total) != 1.0 || s.Gamma(total + 7) != 1.0) return false;
            for (long k = 1; k <= total; k++)
                if (s.Gamma(k) < s.Gamma(k - 1)) return false;
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true));
    }

    [Fact]
    public void Cosine_schedule_matches_byol_formula_midway()
    {
        var s = EmaSchedule.Cosine(0.996, 1000);
        Assert.Equal(1 - 0.004 * (Math.Cos(Math.PI * 0.25) + 1) / 2, s.Gamma(250), 15);
        Assert.Equal(0.998, s.Gamma(500), 12);
        Assert.Equal(EmaSchedule.Cosine(0.996, 1000), s);
    }

    [Fact]
    public void Mismatched_online_network_and_bad_values_are_rejected()
    {
        using var online = Net(7);
        using var ema = new EmaTarget(online, EmaSchedule.Constant(0.99));
        using var g = new Generator(1);
        using var other = new Sequential(new Linear(3, 5, g), new BatchNorm1d(5), new ReLU(), new Linear(5, 2, g));
        Assert.Contains("'0.weight' has shape [5, 3] online but [4, 3] in the target", Assert.Throws<ArgumentException>(() => ema.Update(other)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => EmaSchedule.Constant(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmaSchedule.Cosine(0.9, 0));
    }
}
