namespace ReLICv2.Nn;

/// <summary>Multiply-add counts of networks for one input image (FLOPs = 2 × multiply-adds), for benchmarks' GFLOP/s.</summary>
public static class ComputeCost
{
    /// <summary>
    /// Multiply-adds of the convolutions of <paramref name="net"/> on one <paramref name="size"/> × <paramref name="size"/> image:
    /// every convolution's output positions × output channels × input channels per group × kernel area, following the
    /// strides through the stem, max-pool, blocks and shortcuts.
    /// </summary>
    public static long MultiplyAdds(ResNet net, long size)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "ComputeCost: size must be >= 1");
        long h = size, blockIn = size, total = 0;
        static long Down(long x, long stride) => (x + stride - 1) / stride;
        static long Cost(Conv2d c, long side) => side * side * c.OutChannels * (c.InChannels / c.Groups) * c.KernelSize * c.KernelSize;
        foreach (var (name, module) in net.NamedModules().Select(m => (m.Name, m.Module)))
        {
            if (module is not Conv2d c) continue;
            if (name == "conv1")
            {
                h = Down(h, c.Stride);
                total += Cost(c, h);
                if (!net.SmallImageStem) h = Down(h, 2);
            }
            else if (name.EndsWith(".downsample.0", StringComparison.Ordinal))
            {
                total += Cost(c, Down(blockIn, c.Stride));
            }
            else
            {
                if (name.EndsWith(".conv1", StringComparison.Ordinal)) blockIn = h;
                h = Down(h, c.Stride);
                total += Cost(c, h);
            }
        }
        return total;
    }

    /// <summary>Multiply-adds of the linear layers of <paramref name="module"/> for one input vector.</summary>
    public static long LinearMultiplyAdds(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.NamedModules().Select(m => m.Module).Append(module).OfType<Linear>().Distinct().Sum(l => l.InFeatures * l.OutFeatures);
    }
}
