using System.Text.Json;
using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Shared helpers for the Nn/Optim fixture tests: the closed-form tensors of tests/fixtures-src/nn/generate_fixtures.py,
/// rebuilt with the same libtorch ops, and fixture loading.
/// </summary>
internal static class NnFixtures
{
    public static JsonElement Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "nn", name);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    public static long[] Shape(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>sin(a·i + k) for i = 0 … n−1 in float64, as <c>wave</c> in the generator.</summary>
    public static Tensor Wave(long n, double k, double a = 0.37) => Torch.Scoped(() => Torch.Arange(0, n, 1, DType.Float64).Mul(a).Add(k).Sin());

    /// <summary>The closed-form value of state-dict entry number <paramref name="k"/> (generator's closed_form_entry).</summary>
    public static Tensor ClosedFormEntry(string key, long[] shape, int k)
    {
        if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) return Torch.Full([], k, DType.Int64);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return Torch.Scoped(() =>
        {
            var b = Wave(n, k);
            Tensor v;
            if (key.EndsWith("running_mean", StringComparison.Ordinal)) v = b.Mul(0.05);
            else if (key.EndsWith("running_var", StringComparison.Ordinal)) v = b.Add(1.0).Mul(0.25).Add(0.5);
            else if (key.EndsWith("bias", StringComparison.Ordinal)) v = b.Mul(0.1);
            else if (shape.Length == 1) v = b.Mul(0.2).Add(1.0);
            else v = b.Mul(Math.Sqrt(2.0 / (n / shape[0])));
            return v.Reshape(shape).To(DType.Float32);
        });
    }

    /// <summary>The closed-form input image batch: sin(0.11·i + 0.5).</summary>
    public static Tensor ClosedFormInput(long[] shape) =>
        Torch.Scoped(() => Wave(shape.Aggregate(1L, (a, b) => a * b), 0.5, 0.11).Reshape(shape).To(DType.Float32));

    /// <summary>Largest |a − b| / (|b| + floor · max|b|) over all elements: relative error, with near-zero entries judged against the scale.</summary>
    public static double MaxRelativeError(float[] actual, float[] expected, double floor = 1e-2)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(v => Math.Abs((double)v));
        var worst = 0.0;
        for (var i = 0; i < actual.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / (Math.Abs(expected[i]) + floor * scale));
        return worst;
    }
}
