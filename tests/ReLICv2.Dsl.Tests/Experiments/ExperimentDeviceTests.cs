using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests.Experiments;

/// <summary>The experiment's device: a validated value that round-trips through JSON and is refused on a libtorch without it.</summary>
public class ExperimentDeviceTests
{
    private static Experiment Tiny(string device = "cpu") => new(
        "tiny",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        1, batchSize: 16, seed: 3, device: device);

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    [InlineData("cuda:LOCAL_RANK")]
    public void Every_device_form_round_trips_through_json_and_set(string device)
    {
        var e = Tiny(device);
        Assert.Equal(device, Experiment.FromJson(e.ToJson()).Device);
        Assert.Equal(e, Tiny().With("device", device));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("CPU")]
    [InlineData("")]
    public void Other_devices_are_refused_naming_the_value_and_the_allowed_forms(string device)
    {
        var e = Assert.Throws<ArgumentException>(() => Tiny(device));
        Assert.Contains($"Experiment.Device '{device}'", e.Message);
        Assert.Contains("cuda:LOCAL_RANK", e.Message);
    }

    [Fact]
    public void Json_without_a_device_reads_as_cpu()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Tiny("cuda:1").ToJson())!.AsObject();
        node.Remove("device");
        Assert.Equal("cpu", Experiment.FromJson(node.ToJsonString()).Device);
    }

    [Fact]
    public void Cuda_local_rank_resolves_to_the_ranks_gpu_or_is_refused_without_cuda()
    {
        Assert.Equal(Device.Cpu, Tiny().ResolveDevice(3));
        if (Torch.CudaIsAvailable)
            Assert.Equal(Device.Cuda(0), Tiny("cuda:LOCAL_RANK").ResolveDevice(0));
        else
            Assert.Contains("needs a CUDA libtorch", Assert.Throws<InvalidOperationException>(() => Tiny("cuda:LOCAL_RANK").ResolveDevice(1)).Message);
    }
}
