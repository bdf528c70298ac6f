using ReLICv2.Nn;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// torchvision ResNets with closed-form weights (tests/fixtures-src/nn/generate_fixtures.py) give the same pooled features
/// (and, through the fc weights, the same logits) as PyTorch 1.13 when their state dict, exported to safetensors with
/// torchvision's key names, is loaded by name.
/// </summary>
public class ResNetInteropTests
{
    internal static StateDict TorchvisionClosedFormStateDict(string name)
    {
        var keys = NnFixtures.Load("torchvision_keys.json").GetProperty(name).GetProperty("keys").EnumerateArray()
            .Select(e => (Key: e[0].GetString()!, Shape: NnFixtures.Shape(e[1]))).ToList();
        return new StateDict(keys.Select((e, k) => new NamedTensor(e.Key, NnFixtures.ClosedFormEntry(e.Key, e.Shape, k).DetachFromScope())), ownsTensors: true);
    }

    // Tolerances: float32 accumulation over 50 layers differs with the thread count and kernel order; PyTorch's own float32
    // ResNet-50 output differs from its float64 one by 1.1e-4 on this metric, so ResNet-50 gets 1e-3, ResNet-18 1e-4.
    [Theory]
    [InlineData(18, "resnet18", 1e-4)]
    [InlineData(50, "resnet50", 1e-3)]
    public void Torchvision_state_dict_loads_by_name_and_reproduces_pytorch_outputs(int depth, string name, double tolerance)
    {
        var fixture = NnFixtures.Load("resnet_interop.json");
        var file = Path.Combine(Path.GetTempPath(), $"relic-{name}-{Guid.NewGuid():N}.safetensors");
        using (var written = TorchvisionClosedFormStateDict(name)) SafeTensors.Write(file, written.Entries);
        using var state = SafeTensors.Read(file);
        File.Delete(file);
        Assert.Equal(DType.Int64, state["bn1.num_batches_tracked"].DType);
        using var net = new ResNet(depth, new Generator(0));
        var result = net.LoadStateDict(state, strict: false);
        Assert.Empty(result.MissingKeys);
        Assert.Equal(["fc.weight", "fc.bias"], result.UnexpectedKeys);
        net.Eval();
        using var scope = Torch.NewScope();
        var x = NnFixtures.ClosedFormInput(NnFixtures.Shape(fixture.GetProperty("input_shape")));
        var pooled = net.Forward(x);
        var expected = fixture.GetProperty(name);
        Assert.Equal(NnFixtures.Shape(expected.GetProperty("pooled_shape")), pooled.Shape);
        var error = NnFixtures.MaxRelativeError(pooled.ToArray<float>(), NnFixtures.Floats(expected.GetProperty("pooled")));
        Assert.True(error < tolerance, $"max relative error {error}");
        if (expected.TryGetProperty("logits", out var logits))
        {
            var y = Torch.Linear(pooled, state["fc.weight"], state["fc.bias"]);
            Assert.True(NnFixtures.MaxRelativeError(y.ToArray<float>(), NnFixtures.Floats(logits)) < tolerance);
        }
    }
}
