using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Saliency compositing (docs/method.md §1.3): foreground kept, background replaced by the image's grey level.</summary>
public class SaliencyCompositorTests
{
    [Fact]
    public void Saliency_compositing_keeps_foreground_and_greys_background()
    {
        using var scope = Torch.NewScope();
        var input = VisionFixtures.Input();
        var mask = Torch.Zeros(2, 1, 16, 16);
        mask.Narrow(2, 0, 8).Fill_(1.0);
        var output = SaliencyCompositor.Apply(input, mask, Torch.FromArray(new[] { true, false }), Torch.FromArray(new[] { 0.25f, 0.75f }), 0.3);
        Assert.True(output.Narrow(2, 0, 8).Select(0, 0).Equal(input.Narrow(2, 0, 8).Select(0, 0)));
        Assert.True(VisionFixtures.MaxAbsDiff(output.Narrow(2, 8, 8).Select(0, 0), Torch.Full([3, 8, 16], 0.25)) <= 1e-7);
        Assert.True(output.Select(0, 1).Equal(input.Select(0, 1)));
        // Below the minimum foreground fraction (0.5 < 0.6) the image stays as it was.
        var tooSmall = SaliencyCompositor.Apply(input, mask, Torch.FromArray(new[] { true, true }), Torch.FromArray(new[] { 0.25f, 0.75f }), 0.6);
        Assert.True(tooSmall.Equal(input));
    }

    [Fact]
    public void Foreground_fraction_is_the_mean_of_each_mask()
    {
        using var scope = Torch.NewScope();
        var mask = Torch.Zeros(2, 1, 4, 4);
        mask.Select(0, 0).Narrow(1, 0, 1).Fill_(1.0);
        mask.Select(0, 1).Fill_(0.5);
        Assert.Equal(new[] { 0.25f, 0.5f }, SaliencyCompositor.ForegroundFraction(mask).ToArray<float>());
    }
}
