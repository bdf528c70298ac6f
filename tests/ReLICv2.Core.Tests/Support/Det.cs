namespace ReLICv2.Tests;

/// <summary>
/// The closed-form inputs shared with the fixture generators (tests/fixtures-src/*):
/// scale·sin(0.7·i + 0.3) + offset over the row-major index i, in float64.
/// </summary>
internal static class Det
{
    public static Tensor Make(long[] shape, double scale = 1, double offset = 0)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = scale * Math.Sin(0.7 * i + 0.3) + offset;
        return Torch.FromArray(values, shape);
    }
}
