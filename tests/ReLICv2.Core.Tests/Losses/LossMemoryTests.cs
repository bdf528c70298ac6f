using ReLICv2.Losses;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

public class LossMemoryTests
{
    [Fact]
    public void Loss_primitives_free_their_intermediates_and_return_only_their_results()
    {
        var g = new Generator(8);
        using var o = Torch.Randn([6, 4], g, DType.Float64).DetachFromScope();
        using var t = Torch.Randn([6, 4], g, DType.Float64).DetachFromScope();
        void RunAll()
        {
            var terms = RelicLoss.Compute(o, t, Negatives.Sample(3), g, kl: KlHandling.Symmetric);
            terms.Total.Dispose();
            terms.Contrastive.Dispose();
            terms.Invariance.Dispose();
            NtXentLoss.Compute(o, t).Dispose();
            ByolReference.Compute(o, t).Dispose();
            BarlowTwinsReference.Compute(o, t).Dispose();
            VicRegReference.Compute(o, t).Dispose();
            ResslReference.Compute(o, t).Dispose();
            TwistReference.Compute(o, t).Dispose();
        }
        // Counted in a thread-local scope: a tensor a primitive leaks would stay registered here (the native-wide
        // Torch.LiveTensorCount would race with the tests running in parallel).
        using var scope = Torch.NewScope();
        RunAll();
        Assert.Equal(0, scope.Count);
    }
}
