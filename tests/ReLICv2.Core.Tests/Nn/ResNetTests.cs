using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

public class ResNetTests
{
    [Theory]
    [InlineData(18, "resnet18", 11_176_512L)]
    [InlineData(50, "resnet50", 23_508_032L)]
    public void Parameter_count_and_state_dict_keys_equal_torchvision_without_fc(int depth, string name, long expectedCount)
    {
        using var net = new ResNet(depth, new Generator(0));
        var fixture = NnFixtures.Load("torchvision_keys.json").GetProperty(name);
        Assert.Equal(expectedCount, fixture.GetProperty("parameters_without_fc").GetInt64());
        Assert.Equal(expectedCount, net.ParameterCount);
        var expected = fixture.GetProperty("keys").EnumerateArray()
            .Select(e => (Key: e[0].GetString()!, Shape: NnFixtures.Shape(e[1])))
            .Where(e => !e.Key.StartsWith("fc.", StringComparison.Ordinal)).ToList();
        var actual = net.StateDict().Select(kv => (kv.Key, kv.Value.Shape)).ToList();
        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Key));
        foreach (var (e, a) in expected.Zip(actual)) Assert.Equal(e.Shape, a.Shape);
    }

    [Theory]
    [InlineData(34, "resnet34")]
    [InlineData(101, "resnet101")]
    [InlineData(152, "resnet152")]
    public void Deeper_variants_have_torchvision_parameter_and_entry_counts(int depth, string name)
    {
        using var net = new ResNet(depth, new Generator(0));
        var fixture = NnFixtures.Load("torchvision_keys.json").GetProperty(name);
        Assert.Equal(fixture.GetProperty("parameters_without_fc").GetInt64(), net.ParameterCount);
        Assert.Equal(fixture.GetProperty("state_dict_entries").GetInt32() - 2, net.StateDict().Count);
    }

    [Fact]
    public void ResNet200_has_the_bottleneck_layout_24_and_36_blocks_in_stages_two_and_three()
    {
        using var net = new ResNet(200, new Generator(0), smallImageStem: true);
        var keys = net.StateDict().Keys.ToHashSet();
        Assert.Contains("layer2.23.conv3.weight", keys);
        Assert.DoesNotContain("layer2.24.conv3.weight", keys);
        Assert.Contains("layer3.35.bn3.running_var", keys);
        Assert.DoesNotContain("layer3.36.conv1.weight", keys);
        Assert.Contains("layer4.2.conv3.weight", keys);
        Assert.Equal(2048, net.OutputDim);
    }

    [Theory]
    [InlineData(18, 1, 512)]
    [InlineData(34, 1, 512)]
    [InlineData(18, 2, 1024)]
    [InlineData(50, 1, 2048)]
    public void Small_stem_encoder_returns_the_pooled_representation(int depth, int width, long dim)
    {
        using var net = new ResNet(depth, new Generator(1), widthMultiplier: width, smallImageStem: true);
        Assert.Equal(dim, net.OutputDim);
        Assert.Equal([64L * width, 3, 3, 3], net.StateDict()["conv1.weight"].Shape);
        using var scope = Torch.NewScope();
        var y = net.Forward(Torch.Randn(new Generator(2), 2, 3, 8, 8));
        Assert.Equal([2L, dim], y.Shape);
    }

    [Theory]
    [InlineData(false, null, true)]
    [InlineData(true, null, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, true)]
    public void Stem_max_pool_follows_the_stem_unless_chosen(bool smallStem, bool? option, bool pool)
    {
        using var net = new ResNet(18, new Generator(4), smallImageStem: smallStem, baseWidth: 4, stemMaxPool: option, inChannels: 1);
        Assert.Equal(pool, net.StemMaxPool);
        Assert.Equal(pool, net.Children().Any(m => m.Name == "maxpool"));
        Assert.Contains($"stemMaxPool={pool}", net.ToString());
        using var scope = Torch.NewScope();
        Assert.Equal([2L, 32], net.Forward(Torch.Randn(new Generator(5), 2, 1, 28, 28)).Shape);
    }

    [Fact]
    public void Small_stem_with_max_pool_runs_the_stages_on_the_max_pooled_stem_output()
    {
        using var pooled = new ResNet(18, new Generator(6), smallImageStem: true, baseWidth: 4, stemMaxPool: true, inChannels: 1);
        using var plain = new ResNet(18, new Generator(6), smallImageStem: true, baseWidth: 4, inChannels: 1);
        Assert.Equal(plain.StateDict().Keys.Order(), pooled.StateDict().Keys.Order());
        pooled.Eval();
        plain.Eval();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = Torch.Randn(new Generator(7), 3, 1, 16, 16);
        Module Child(string name) => plain.Children().Single(m => m.Name == name).Module;
        var stem = Child("bn1").Forward(Child("conv1").Forward(x)).Relu();
        Tensor Stages(Tensor h) => Child("layer4").Forward(Child("layer3").Forward(Child("layer2").Forward(Child("layer1").Forward(h)))).Mean([2L, 3L]);
        using var maxPool = new MaxPool2d(3, 2, 1);
        var expected = Stages(maxPool.Forward(stem));
        Assert.True(pooled.Forward(x).AllClose(expected, 1e-5, 1e-6));
        Assert.True(plain.Forward(x).AllClose(Stages(stem), 1e-5, 1e-6));
        Assert.False(plain.Forward(x).AllClose(expected, 1e-3, 1e-3));
    }

    [Fact]
    public void Width_multiplier_scales_every_channel_count()
    {
        using var net = new ResNet(50, new Generator(3), widthMultiplier: 2);
        var sd = net.StateDict();
        Assert.Equal([128L, 3, 7, 7], sd["conv1.weight"].Shape);
        Assert.Equal([4096L, 1024, 1, 1], sd["layer4.0.conv3.weight"].Shape);
        Assert.Equal(4096, net.OutputDim);
    }

    [Fact]
    public void Initialisation_is_kaiming_normal_fan_out_with_unit_bn_and_optional_zero_residual_gamma()
    {
        using var net = ResNet.ResNet18(new Generator(4), zeroInitResidual: true);
        var sd = net.StateDict();
        using var scope = Torch.NewScope();
        // layer3.0.conv2: 256 × 256 × 3 × 3, fan_out = 2304, std = √(2/2304) ≈ 0.02946; 589,824 samples.
        var w = sd["layer3.0.conv2.weight"];
        var std = Math.Sqrt(2.0 / 2304);
        Assert.InRange(w.Flatten(0, -1).Std(0L).Item(), std * (1 - 5 / Math.Sqrt(2 * 589_824.0)), std * (1 + 5 / Math.Sqrt(2 * 589_824.0)));
        Assert.Equal(0.0, w.Mean().Item(), 3);
        Assert.True(sd["bn1.weight"].Equal(Torch.Ones(64)));
        Assert.True(sd["bn1.bias"].Equal(Torch.Zeros(64)));
        Assert.True(sd["layer1.0.bn1.weight"].Equal(Torch.Ones(64)));
        Assert.True(sd["layer1.0.bn2.weight"].Equal(Torch.Zeros(64)));
        Assert.True(sd["layer4.1.bn2.weight"].Equal(Torch.Zeros(512)));
        using var same = ResNet.ResNet18(new Generator(4), zeroInitResidual: true);
        Assert.True(same.StateDict()["layer3.0.conv2.weight"].Equal(w));
    }

    [Fact]
    public void Unsupported_depth_and_width_are_rejected_with_the_allowed_values()
    {
        Assert.Contains("18, 34, 50, 101, 152, 200", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(20, new Generator(0))).Message);
        Assert.Contains("1, 2 or 4", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(18, new Generator(0), widthMultiplier: 3)).Message);
    }

    [Fact]
    public void Mlp_head_is_linear_bn_relu_linear_with_torch_keys()
    {
        using var head = new MlpHead(8, 16, 4, new Generator(5));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"],
            head.StateDict().Keys.ToArray());
        using var scope = Torch.NewScope();
        var x = Torch.Randn(new Generator(6), 5, 8);
        var y = head.Forward(x);
        var sd = head.StateDict();
        var h = Torch.Linear(x, sd["0.weight"], sd["0.bias"]);
        var mean = h.Mean(0L, keepDim: true);
        var variance = h.Var(0L, unbiased: false, keepDim: true);
        var expected = Torch.Linear(h.Sub(mean).Div(variance.Add(1e-5).Sqrt()).Relu(), sd["3.weight"], sd["3.bias"]);
        Assert.True(y.AllClose(expected, 1e-4, 1e-5));
    }
}
