namespace ReLICv2.Nn;

/// <summary>Multiply-add counts of networks for one input image (FLOPs = 2 × multiply-adds), for benchmarks' GFLOP/s.</summary>
public static class ComputeCost
{
    /// <summary>
    /// Multiply-adds of the convolutions of <paramref name="net"/> on one <paramref name="size"/> × <paramref name="size"/> image:
    /// every convolution's output positions × output channels × input channels per group × kernel area, following the
    /// strides through the stem, max-pool, blocks and shortcuts (the sum over <see cref="Convolutions"/>).
    /// </summary>
    public static long MultiplyAdds(ResNet net, long size) => Convolutions(net, size).Sum(c => c.MultiplyAdds);

    /// <summary>
    /// Every convolution of <paramref name="net"/> in the order it runs, with the side of its input and output on one
    /// <paramref name="size"/> × <paramref name="size"/> image: the shapes a benchmark needs to time the convolutions alone.
    /// </summary>
    public static IReadOnlyList<ConvolutionShape> Convolutions(ResNet net, long size)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "ComputeCost: size must be >= 1");
        long h = size, blockIn = size;
        var list = new List<ConvolutionShape>();
        static long Down(long x, long stride) => (x + stride - 1) / stride;
        foreach (var (name, module) in net.NamedModules().Select(m => (m.Name, m.Module)))
        {
            if (module is not Conv2d c) continue;
            if (name == "conv1")
            {
                list.Add(new ConvolutionShape(name, c, h, Down(h, c.Stride)));
                h = Down(h, c.Stride);
                if (net.StemMaxPool) h = Down(h, 2);
            }
            else if (name.EndsWith(".downsample.0", StringComparison.Ordinal))
            {
                list.Add(new ConvolutionShape(name, c, blockIn, Down(blockIn, c.Stride)));
            }
            else
            {
                if (name.EndsWith(".conv1", StringComparison.Ordinal)) blockIn = h;
                list.Add(new ConvolutionShape(name, c, h, Down(h, c.Stride)));
                h = Down(h, c.Stride);
            }
        }
        return list;
    }

    /// <summary>Multiply-adds of the linear layers of <paramref name="module"/> for one input vector.</summary>
    public static long LinearMultiplyAdds(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.NamedModules().Select(m => m.Module).Append(module).OfType<Linear>().Distinct().Sum(l => l.InFeatures * l.OutFeatures);
    }
}

/// <summary>One convolution of a network on a square image: its module, the side of its input and of its output.</summary>
public sealed record ConvolutionShape(string Name, Conv2d Convolution, long InputSide, long OutputSide)
{
    /// <summary>Output positions × output channels × input channels per group × kernel area.</summary>
    public long MultiplyAdds =>
        OutputSide * OutputSide * Convolution.OutChannels * (Convolution.InChannels / Convolution.Groups) * Convolution.KernelSize * Convolution.KernelSize;
}
