using Xunit;
using System.Text.Json;

namespace ReLICv2.Tests;

/// <summary>Reads the torchvision 0.14 reference outputs written by tests/fixtures-src/vision/make_vision_fixtures.py.</summary>
internal static class VisionFixtures
{
    public static JsonElement Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vision", name);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static Tensor Tensor(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return Torch.FromArray(data, shape);
    }

    public static Tensor Input() => Tensor(Load("input.json"));

    public static Tensor Reference(string name) => Tensor(Load(name));

    public static double[] Doubles(JsonElement e, string property) => e.GetProperty(property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>Largest absolute difference between two tensors of the same shape.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        using var d = (a - b).Abs().Max();
        return d.Item();
    }
}
