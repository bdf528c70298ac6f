using ReLICv2.Optim;
using Xunit;

namespace ReLICv2.Tests;

public class OptimizerStateTests
{
    private static Tensor Param(int k) => OptimizerReferenceTests.InitialParameter([3, 4], k).DetachFromScope().RequireGrad();

    private static void Run(Optimizer opt, Tensor p, int fromStep, int toStep)
    {
        for (var s = fromStep; s < toStep; s++)
        {
            using var scope = Torch.NewScope();
            p.Grad = OptimizerReferenceTests.Gradient([3, 4], 0, s);
            opt.Step();
        }
    }

    public static TheoryData<string> Kinds() => new() { "SGD", "AdamW", "LARS" };

    private static Optimizer Make(string kind, Tensor p) => kind switch
    {
        "SGD" => new Sgd([p], new SgdOptions(0.1, momentum: 0.9, nesterov: true)),
        "AdamW" => new AdamW([p], new AdamWOptions(0.01)),
        _ => new Lars([p], new LarsOptions(0.5, weightDecay: 1e-3)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Exported_state_resumes_exactly_where_the_original_left_off(string kind)
    {
        using var a = Param(0);
        using var b = Param(1);
        using var optA = Make(kind, a);
        Run(optA, a, 0, 2);
        optA.LearningRateMultiplier = 0.5;
        using var saved = optA.ExportState();
        using (Torch.NoGrad()) b.Copy_(a);
        using var optB = Make(kind, b);
        optB.ImportState(saved);
        Assert.Equal(2, optB.StepCount);
        Assert.Equal(0.5, optB.LearningRateMultiplier);
        Run(optA, a, 2, 4);
        Run(optB, b, 2, 4);
        using var scope = Torch.NewScope();
        Assert.True(a.Detach().Equal(b.Detach()));
    }

    [Fact]
    public void Import_rejects_a_state_from_another_kind_or_shape()
    {
        using var p = Param(0);
        using var sgd = new Sgd([p], new SgdOptions(0.1, momentum: 0.9));
        Run(sgd, p, 0, 1);
        using var saved = sgd.ExportState();
        using var adam = new AdamW([p], new AdamWOptions());
        Assert.Contains("from a SGD optimiser, this is AdamW", Assert.Throws<ArgumentException>(() => adam.ImportState(saved)).Message);
        using var q = Torch.Zeros([5], requiresGrad: true).DetachFromScope();
        using var other = new Sgd([q], new SgdOptions(0.1, momentum: 0.9));
        Assert.Contains("has shape [3, 4], parameter 0 has [5]", Assert.Throws<ArgumentException>(() => other.ImportState(saved)).Message);
    }

    [Fact]
    public void Parameters_without_gradients_are_skipped()
    {
        using var p = Param(0);
        using var q = Param(1);
        using var opt = new Sgd([p, q], new SgdOptions(0.1, momentum: 0.9, weightDecay: 0.1));
        using var scope = Torch.NewScope();
        var before = q.Detach().Clone();
        p.Grad = Torch.Ones(3, 4);
        opt.Step();
        Assert.True(q.Detach().Equal(before));
        using var state = opt.ExportState();
        Assert.Equal(["0.momentum_buffer"], state.Tensors.Keys);
        Assert.Equal([1L, 0L], state.ParameterSteps);
    }

    [Fact]
    public void Options_are_validated_with_the_field_and_range()
    {
        Assert.Contains("Momentum must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptions(0.1, momentum: 1)).Message);
        Assert.Contains("Nesterov needs Momentum > 0", Assert.Throws<ArgumentException>(() => new SgdOptions(0.1, nesterov: true)).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamWOptions(-1)).Message);
        // A rate beyond float32 cannot be applied to float32 parameters: refused where it is set, not in libtorch at the first step.
        Assert.Contains("LearningRate must be in [0, ", Assert.Throws<ArgumentOutOfRangeException>(() => new LarsOptions(1e300)).Message);
        Assert.Equal(float.MaxValue, new SgdOptions(float.MaxValue).LearningRate);
        Assert.Contains("Beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamWOptions(beta2: 1)).Message);
        Assert.Contains("TrustCoefficient", Assert.Throws<ArgumentOutOfRangeException>(() => new LarsOptions(0.1, trustCoefficient: 0)).Message);
        using var p = Param(0);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new Sgd([p, p], new SgdOptions(0.1))).Message);
    }
}
