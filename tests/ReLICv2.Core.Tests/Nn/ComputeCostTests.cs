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

    [Theory]
    // torchvision 0.14 resnet18 with its conv1 replaced by a 3×3 stride-1 convolution and the max-pool kept, counted with
    // forward hooks as above (PyTorch 1.13): 32 px → 140,181,504; 28 px → 123,055,104 (the max-pool halves 28 to 14, the
    // stages go 14, 7, 4, 2).
    [InlineData(32, 140_181_504L)]
    [InlineData(28, 123_055_104L)]
    public void Small_stem_with_its_max_pool_counts_the_pooled_resolution(long size, long expected)
    {
        using var g = new Generator(0);
        using var net = new ResNet(18, g, smallImageStem: true, stemMaxPool: true);
        Assert.Equal(expected, ComputeCost.MultiplyAdds(net, size));
    }

    [Fact]
    public void Convolution_shapes_are_those_a_forward_pass_produces()
    {
        using var g = new Generator(0);
        using var net = new ResNet(18, g, smallImageStem: true, stemMaxPool: true, baseWidth: 8);
        using var image = Torch.Randn([1, 3, 28, 28], g);
        var shapes = ComputeCost.Convolutions(net, 28);
        Assert.Equal(net.NamedModules().Count(m => m.Module is Conv2d), shapes.Count);
        // Each convolution applied alone to an input of its recorded side gives an output of its recorded side.
        foreach (var s in shapes)
        {
            using var x = Torch.Randn([1, s.Convolution.InChannels, s.InputSide, s.InputSide], g);
            using var y = s.Convolution.Forward(x);
            Assert.Equal(s.OutputSide, y.Shape[2]);
        }
        Assert.Equal((28L, 28L), (shapes[0].InputSide, shapes[0].OutputSide));
        Assert.Equal((2L, 2L), (shapes[^1].InputSide, shapes[^1].OutputSide));
        Assert.Equal(shapes.Sum(s => s.MultiplyAdds), ComputeCost.MultiplyAdds(net, 28));
    }
}
