using ReLICv2.Nn;
using ReLICv2.Optim;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>LARS against its formula evaluated by hand in float64 (see <see cref="Lars"/>).</summary>
public class LarsTests
{
    private static double Norm(double[] x) => Math.Sqrt(x.Sum(v => v * v));

    /// <summary>The BYOL LARS update of one tensor, in plain doubles.</summary>
    private static void ByHand(double[] theta, double[] grad, double[] v, double lr, double mu, double wd, double eta, bool adapt, bool nesterov)
    {
        var u = theta.Select((t, i) => grad[i] + wd * t).ToArray();
        var r = 1.0;
        if (adapt && Norm(theta) > 0 && Norm(u) > 0) r = eta * Norm(theta) / Norm(u);
        for (var i = 0; i < theta.Length; i++)
        {
            v[i] = mu * v[i] + r * u[i];
            theta[i] -= lr * (nesterov ? r * u[i] + mu * v[i] : v[i]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_steps_match_the_formula_with_biases_and_norms_excluded(bool nesterov)
    {
        var gen = new Generator(5);
        using var w = Torch.Randn([3, 4], gen, DType.Float64).DetachFromScope().RequireGrad();
        using var b = Torch.Randn([4], gen, DType.Float64).DetachFromScope().RequireGrad();
        var named = new[] { new NamedTensor("fc.weight", w), new NamedTensor("fc.bias", b) };
        const double lr = 0.7, mu = 0.9, wd = 1e-2, eta = 1e-3;
        var groups = Lars.ExcludingBiasAndNorm(named, new LarsOptions(lr, mu, wd, eta, nesterov: nesterov));
        Assert.Equal(2, groups.Count);
        Assert.Same(w, groups[0].Parameters.Single());
        Assert.Same(b, groups[1].Parameters.Single());
        Assert.False(groups[1].Options.Adapt);
        Assert.Equal(0, groups[1].Options.WeightDecay);
        using var opt = new Lars(groups);

        var theta = new[] { w.Detach().ToArray<double>(), b.Detach().ToArray<double>() };
        var v = new[] { new double[12], new double[4] };
        double[] multipliers = [1.0, 0.5, 0.8];
        for (var s = 0; s < 3; s++)
        {
            using var scope = Torch.NewScope();
            var gw = Torch.Randn([3, 4], gen, DType.Float64);
            var gb = Torch.Randn([4], gen, DType.Float64);
            w.Grad = gw;
            b.Grad = gb;
            opt.LearningRateMultiplier = multipliers[s];
            opt.Step();
            ByHand(theta[0], gw.ToArray<double>(), v[0], lr * multipliers[s], mu, wd, eta, adapt: true, nesterov);
            ByHand(theta[1], gb.ToArray<double>(), v[1], lr * multipliers[s], mu, 0, eta, adapt: false, nesterov);
            var actualW = w.Detach().ToArray<double>();
            var actualB = b.Detach().ToArray<double>();
            for (var i = 0; i < 12; i++) Assert.Equal(theta[0][i], actualW[i], 12);
            for (var i = 0; i < 4; i++) Assert.Equal(theta[1][i], actualB[i], 12);
        }
    }

    [Fact]
    public void Trust_ratio_is_one_for_a_zero_parameter()
    {
        using var p = Torch.Zeros([2, 2], DType.Float64).DetachFromScope().RequireGrad();
        using var opt = new Lars([p], new LarsOptions(0.1, momentum: 0));
        using var scope = Torch.NewScope();
        p.Grad = Torch.Full([2, 2], 2.0, DType.Float64);
        opt.Step();
        Assert.All(p.Detach().ToArray<double>(), x => Assert.Equal(-0.2, x, 12));
    }

    [Fact]
    public void Trust_ratio_makes_the_update_scale_free_in_the_gradient()
    {
        // With no weight decay and no momentum, the step is lr·η·‖θ‖·g/‖g‖: scaling g by 1000 changes nothing.
        double Step(double scale)
        {
            using var p = Torch.Full([3], 2.0, DType.Float64).DetachFromScope().RequireGrad();
            using var opt = new Lars([p], new LarsOptions(1.0, momentum: 0));
            using var scope = Torch.NewScope();
            p.Grad = Torch.FromArray(new[] { 1.0, -2.0, 2.0 }).Mul(scale);
            opt.Step();
            return p.Detach().ToArray<double>()[0];
        }
        Assert.Equal(Step(1), Step(1000), 12);
        Assert.Equal(2.0 - 1e-3 * Math.Sqrt(12) * 1.0 / 3.0, Step(1), 12);
    }
}
