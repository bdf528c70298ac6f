using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

public class ModuleTests
{
    private static Sequential SmallNet(ulong seed)
    {
        using var g = new Generator(seed);
        return new Sequential(new Linear(4, 3, g), new BatchNorm1d(3), new ReLU(), new Linear(3, 2, g, bias: false));
    }

    [Fact]
    public void State_dict_keys_follow_pytorch_order_params_then_buffers_then_children()
    {
        using var net = SmallNet(1);
        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight"],
            net.StateDict().Keys.ToArray());
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "3.weight"], net.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(4 * 3 + 3 + 3 + 3 + 3 * 2, net.ParameterCount);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
        Assert.All(net.NamedBuffers(), b => Assert.False(b.Tensor.RequiresGrad));
    }

    [Fact]
    public void Parameters_survive_the_scope_they_were_created_in()
    {
        Sequential net;
        using (Torch.NewScope()) net = SmallNet(2);
        using (net)
        {
            Assert.All(net.StateDict().Values, t => Assert.False(t.IsDisposed));
            using var scope = Torch.NewScope();
            var y = net.Forward(Torch.Ones(5, 4));
            Assert.Equal([5L, 2L], y.Shape);
        }
    }

    [Fact]
    public void Dispose_frees_every_parameter_and_buffer()
    {
        var net = SmallNet(3);
        var tensors = net.StateDict().Values.ToList();
        net.Dispose();
        Assert.All(tensors, t => Assert.True(t.IsDisposed));
    }

    [Fact]
    public void Train_and_eval_switch_the_whole_tree()
    {
        using var net = SmallNet(4);
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
        Assert.Equal(["", "0", "1", "2", "3"], net.NamedModules().Select(m => m.Name).ToArray());
    }

    [Fact]
    public void ZeroGrad_clears_gradients_after_backward()
    {
        using var net = SmallNet(5);
        using (Torch.NewScope())
        {
            using var g = new Generator(9);
            net.Forward(Torch.Randn(g, 6, 4)).Square().Sum().Backward();
            Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        }
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void State_dict_round_trip_reproduces_values_and_outputs()
    {
        using var a = ResNet.ResNet18(new Generator(1), smallImageStem: true);
        using var b = ResNet.ResNet18(new Generator(2), smallImageStem: true);
        using var scope = Torch.NewScope();
        var gen = new Generator(3);
        a.Train();
        a.Forward(Torch.Randn(gen, 4, 3, 8, 8)); // moves running statistics away from their initial values
        Assert.False(a.StateDict()["bn1.running_mean"].Equal(b.StateDict()["bn1.running_mean"]));
        var result = b.LoadStateDict(a.StateDict());
        Assert.True(result.IsExact);
        foreach (var (key, t) in a.StateDict()) Assert.True(t.Equal(b.StateDict()[key]), key);
        a.Eval();
        b.Eval();
        var x = Torch.Randn(gen, 2, 3, 8, 8);
        Assert.True(a.Forward(x).Equal(b.Forward(x)));
    }

    [Fact]
    public void Load_state_dict_names_missing_unexpected_and_mis_shaped_entries_and_changes_nothing()
    {
        using var net = SmallNet(6);
        using var other = SmallNet(7);
        using var scope = Torch.NewScope();
        var before = net.StateDict()["0.weight"].Clone();
        var entries = other.StateDict().Entries.Where(e => e.Name != "0.bias").ToList();
        entries.Add(new NamedTensor("extra.weight", Torch.Zeros(1)));
        entries[0] = new NamedTensor("0.weight", Torch.Zeros(4, 4));
        var ex = Assert.Throws<ArgumentException>(() => net.LoadStateDict(new StateDict(entries)));
        Assert.Contains("Sequential", ex.Message);
        Assert.Contains("1 missing key(s): 0.bias", ex.Message);
        Assert.Contains("1 unexpected key(s): extra.weight", ex.Message);
        Assert.Contains("size mismatch for 0.weight: the state dict has shape [4, 4], the module has [3, 4]", ex.Message);
        Assert.True(net.StateDict()["0.weight"].Equal(before));
        Assert.False(net.StateDict()["3.weight"].Equal(other.StateDict()["3.weight"]));
    }

    [Fact]
    public void Non_strict_load_reports_missing_and_unexpected_keys_and_loads_the_rest()
    {
        using var net = SmallNet(8);
        using var other = SmallNet(9);
        using var scope = Torch.NewScope();
        var entries = other.StateDict().Entries.Where(e => e.Name != "3.weight").ToList();
        entries.Add(new NamedTensor("fc.weight", Torch.Zeros(2)));
        var result = net.LoadStateDict(new StateDict(entries), strict: false);
        Assert.Equal(["3.weight"], result.MissingKeys);
        Assert.Equal(["fc.weight"], result.UnexpectedKeys);
        Assert.True(net.StateDict()["0.weight"].Equal(other.StateDict()["0.weight"]));
        Assert.False(net.StateDict()["3.weight"].Equal(other.StateDict()["3.weight"]));
    }

    [Fact]
    public void A_state_dict_without_num_batches_tracked_loads_strictly_as_in_pytorch()
    {
        using var net = SmallNet(14);
        using var other = SmallNet(15);
        var result = net.LoadStateDict(new StateDict(other.StateDict().Entries.Where(e => e.Name != "1.num_batches_tracked")));
        Assert.True(result.IsExact);
        Assert.True(net.StateDict()["1.weight"].Equal(other.StateDict()["1.weight"]));
        using var scope = Torch.NewScope();
        var entries = other.StateDict().Entries.Where(e => e.Name != "1.running_var").ToList();
        Assert.Contains("1 missing key(s): 1.running_var", Assert.Throws<ArgumentException>(() => net.LoadStateDict(new StateDict(entries))).Message);
    }

    [Fact]
    public void Load_state_dict_converts_dtype_and_keeps_parameter_identity()
    {
        using var net = SmallNet(13);
        var weight = net.StateDict()["0.weight"];
        using var scope = Torch.NewScope();
        var entries = net.StateDict().Entries.Select(e => new NamedTensor(e.Name,
            e.Tensor.DType == DType.Float32 ? Torch.Full(e.Tensor.Shape, 0.25, DType.Float64) : e.Tensor)).ToList();
        net.LoadStateDict(new StateDict(entries));
        Assert.Same(weight, net.StateDict()["0.weight"]);
        Assert.Equal(DType.Float32, weight.DType);
        Assert.True(weight.RequiresGrad);
        Assert.All(weight.Detach().ToArray<float>(), v => Assert.Equal(0.25f, v));
    }

    [Fact]
    public void Deep_copy_is_independent_and_its_forward_uses_its_own_weights()
    {
        using var online = ResNet.ResNet18(new Generator(10), smallImageStem: true);
        online.Eval();
        using var target = (ResNet)online.DeepCopy();
        using var scope = Torch.NewScope();
        var x = Torch.Randn(new Generator(11), 2, 3, 8, 8);
        Assert.False(target.IsTraining);
        Assert.True(online.Forward(x).Equal(target.Forward(x)));
        Assert.Equal(online.StateDict().Keys, target.StateDict().Keys);
        foreach (var ((_, a), (_, b)) in online.StateDict().Zip(target.StateDict()))
        {
            Assert.NotSame(a, b);
            Assert.True(a.Equal(b));
            Assert.Equal(a.RequiresGrad, b.RequiresGrad);
        }
        using (Torch.NoGrad()) target.StateDict()["layer4.1.conv2.weight"].Mul_(0.5);
        Assert.False(online.Forward(x).Equal(target.Forward(x)));
        Assert.False(online.StateDict()["layer4.1.conv2.weight"].Equal(target.StateDict()["layer4.1.conv2.weight"]));
    }

    [Fact]
    public void Deep_copy_rejects_a_field_holding_an_unregistered_tensor()
    {
        using var m = new UnregisteredField();
        var ex = Assert.Throws<NotSupportedException>(() => m.DeepCopy());
        Assert.Contains("field 'stray'", ex.Message);
    }

    [Fact]
    public void To_cpu_keeps_parameter_identity()
    {
        using var net = SmallNet(12);
        var before = net.Parameters();
        net.To(Device.Cpu);
        Assert.Equal(before, net.Parameters());
        Assert.All(net.Parameters(), p => Assert.Equal(Device.Cpu, p.Device));
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 2)]
    [InlineData(6, 2)]
    [InlineData(9, 2)]
    public void A_strided_pointwise_convolution_of_few_channels_has_the_same_weight_gradient_channels_last(long inChannels, long stride)
    {
        // libtorch 1.13's oneDNN got this gradient wrong for 2-6 input channels; the shim routes around it.
        using var scope = Torch.NewScope();
        var g = new Generator(21);
        var x = Torch.Randn(g, 4, inChannels, 12, 12);
        var w = Torch.Randn(g, 8, inChannels, 1, 1);
        var wLast = w.Contiguous(MemoryFormat.ChannelsLast).RequireGrad();
        var wPlain = w.Detach().Contiguous().RequireGrad();
        var yLast = Torch.Conv2d(x.Contiguous(MemoryFormat.ChannelsLast), wLast, stride: stride);
        var yPlain = Torch.Conv2d(x, wPlain, stride: stride);
        Assert.True(yLast.AllClose(yPlain, 1e-5, 1e-5));
        yLast.Pow(2).Sum().Backward();
        yPlain.Pow(2).Sum().Backward();
        // Reference: the weight gradient of sum(y^2) is 2 * sum over n, h, w of y[n, o] * x[n, i] at the sampled pixels.
        var sampled = x.Slice(2, 0, 12, stride).Slice(3, 0, 12, stride);
        var reference = yPlain.Detach().Permute(1, 0, 2, 3).Reshape(8, -1).Matmul(sampled.Permute(0, 2, 3, 1).Reshape(-1, inChannels)).Mul(2).Reshape(8, inChannels, 1, 1);
        Assert.True(wPlain.Grad!.AllClose(reference, 1e-4, 1e-3));
        Assert.True(wLast.Grad!.AllClose(reference, 1e-4, 1e-3), $"largest difference {(wLast.Grad! - reference).Abs().Max().Item()}");
    }

    [Fact]
    public void Channels_last_keeps_parameter_identity_values_and_gradients()
    {
        using var contiguous = new ResNet(18, new Generator(13), smallImageStem: true, baseWidth: 4, inChannels: 3);
        using var channelsLast = new ResNet(18, new Generator(13), smallImageStem: true, baseWidth: 4, inChannels: 3);
        var before = channelsLast.Parameters();
        Assert.Same(channelsLast, channelsLast.To(MemoryFormat.ChannelsLast));
        Assert.Equal(before, channelsLast.Parameters());
        var weight = channelsLast.NamedParameters().Single(p => p.Name == "layer2.0.conv1.weight").Tensor;
        Assert.True(weight.IsContiguousIn(MemoryFormat.ChannelsLast));
        Assert.False(weight.IsContiguousIn(MemoryFormat.Contiguous));
        Assert.All(channelsLast.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
        using (var copy = channelsLast.DeepCopy())
            Assert.True(copy.NamedParameters().Single(p => p.Name == "layer2.0.conv1.weight").Tensor.IsContiguousIn(MemoryFormat.ChannelsLast));

        using var scope = Torch.NewScope();
        var sdA = contiguous.StateDict();
        var sdB = channelsLast.StateDict();
        Assert.All(sdA.Keys, k => Assert.True(sdA[k].Equal(sdB[k]), k));
        var x = Torch.Randn(new Generator(14), 4, 3, 12, 12);
        var a = contiguous.Forward(x);
        var b = channelsLast.Forward(x);
        Assert.True(a.AllClose(b, 1e-4, 1e-5));
        a.Pow(2).Sum().Backward();
        b.Pow(2).Sum().Backward();
        foreach (var (p, q) in contiguous.NamedParameters().Zip(channelsLast.NamedParameters()))
        {
            using var gp = p.Tensor.Grad!;
            using var gq = q.Tensor.Grad!;
            Assert.True(gp.AllClose(gq, 1e-3, 1e-4), $"{p.Name}: largest difference {(gp - gq).Abs().Max().Item()} of gradients up to {gp.Abs().Max().Item()}");
        }
        channelsLast.To(MemoryFormat.Contiguous);
        Assert.True(weight.IsContiguousIn(MemoryFormat.Contiguous));
        using var grad = weight.Grad!;
        Assert.True(grad.IsContiguousIn(MemoryFormat.Contiguous));
        Assert.Throws<ArgumentOutOfRangeException>(() => channelsLast.To((MemoryFormat)7));
    }

    [Fact]
    public void Registering_a_dotted_or_duplicate_name_is_rejected()
    {
        Assert.Contains("contain no '.'", Assert.Throws<ArgumentException>(() => new BadName("a.b")).Message);
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => new BadName("w")).Message);
    }

    private sealed class UnregisteredField : Module
    {
        private readonly Tensor stray = Torch.Zeros(1).DetachFromScope();

        public override Tensor Forward(Tensor input) => input.Add(stray);
    }

    private sealed class BadName : Module
    {
        public BadName(string second)
        {
            RegisterParameter("w", Torch.Zeros(1));
            RegisterParameter(second, Torch.Zeros(1));
        }

        public override Tensor Forward(Tensor input) => input.Alias();
    }
}
