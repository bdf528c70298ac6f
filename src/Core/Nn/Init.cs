namespace ReLICv2.Nn;

/// <summary>
/// Weight initialisers (torch.nn.init), each drawing from an explicit generator and returning a new tensor created outside
/// any autograd graph.
/// </summary>
public static class Init
{
    /// <summary>U(−bound, bound) samples of the given shape and dtype.</summary>
    public static Tensor Uniform(long[] shape, double bound, Generator generator, DType dtype = DType.Float32)
    {
        var t = Torch.Empty(shape, dtype);
        t.Uniform_(-bound, bound, generator);
        return t;
    }

    /// <summary>N(0, std²) samples of the given shape and dtype.</summary>
    public static Tensor Normal(long[] shape, double std, Generator generator, DType dtype = DType.Float32)
    {
        var t = Torch.Empty(shape, dtype);
        t.Normal_(0, std, generator);
        return t;
    }

    internal static void CheckFloating(DType dtype, string owner)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"{owner}: dtype must be Float16, Float32 or Float64");
    }

    /// <summary>
    /// Kaiming (He) normal initialisation with fan-out mode for ReLU, as <c>kaiming_normal_(w, mode="fan_out", nonlinearity="relu")</c>:
    /// std = √2 / √fan_out, with fan_out = shape[0] · Π shape[2..] (output channels times the receptive field).
    /// </summary>
    public static double KaimingNormalFanOutStd(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count < 2) throw new ArgumentException($"KaimingNormalFanOutStd: needs a weight of rank >= 2, got rank {shape.Count}", nameof(shape));
        var fanOut = shape[0];
        for (var i = 2; i < shape.Count; i++) fanOut *= shape[i];
        return Math.Sqrt(2.0) / Math.Sqrt(fanOut);
    }

    /// <summary>Overwrites <paramref name="weight"/> in place with Kaiming-normal fan-out (ReLU) samples (see <see cref="KaimingNormalFanOutStd"/>).</summary>
    public static void KaimingNormalFanOut_(Tensor weight, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using (Torch.NoGrad()) weight.Normal_(0, KaimingNormalFanOutStd(weight.Shape), generator);
    }
}
