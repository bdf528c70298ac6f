using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

public class ComputeCostTests
{
    // References: torchvision 0.14 resnet18/resnet50 at 224 × 224, counted with forward hooks on every Conv2d
    // (output elements × in_channels/groups × kernel area), PyTorch 1.13.
    [Theory]
    [InlineData(18, 1_813_561_344L)]
    [InlineData(50, 4_087_136_256L)]
    public void ResNet_multiply_adds_match_torchvision_counted_with_hooks(int depth, long expected)
    {
        using var g = new Generator(0);
        using var net = new ResNet(depth, g);
        Assert.Equal(expected, ComputeCost.MultiplyAdds(net, 224));
    }

    [Fact]
    public void Small_stem_keeps_the_resolution_and_linear_layers_count_in_times_out()
    {
        using var g = new Generator(0);
        using var net = new ResNet(18, g, smallImageStem: true);
        // CIFAR ResNet-18 (3×3 stem, no max-pool) at 32 px: 555,417,600 conv multiply-adds, counted with forward hooks on
        // bench/pytorch/relicv2_step_small.py SmallResNet18(64) (the often-quoted 0.56 G).
        Assert.Equal(555_417_600L, ComputeCost.MultiplyAdds(net, 32));
        using var head = new MlpHead(256, 1024, 128, g);
        Assert.Equal(256L * 1024 + 1024L * 128, ComputeCost.LinearMultiplyAdds(head));
    }
}
