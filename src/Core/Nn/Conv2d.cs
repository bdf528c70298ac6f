namespace ReLICv2.Nn;

/// <summary>
/// 2-D convolution over [N, C, H, W] with a square kernel, as torch.nn.Conv2d. Weights of shape
/// [out, in/groups, k, k], initialised as PyTorch does (U(−1/√fan_in, 1/√fan_in), fan_in = in/groups · k²).
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer; <paramref name="generator"/> draws the initial weights (of <paramref name="dtype"/>).</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, Generator generator, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Init.CheckFloating(dtype, nameof(Conv2d));
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "Conv2d: inChannels must be >= 1");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "Conv2d: outChannels must be >= 1");
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "Conv2d: kernelSize must be >= 1");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Conv2d: stride must be >= 1");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "Conv2d: padding must be >= 0");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "Conv2d: dilation must be >= 1");
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"Conv2d: groups must be >= 1 and divide inChannels ({inChannels}) and outChannels ({outChannels})");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        var bound = 1 / Math.Sqrt(inChannels / groups * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Init.Uniform([outChannels, inChannels / groups, kernelSize, kernelSize], bound, generator, dtype));
        Bias = bias ? RegisterParameter("bias", Init.Uniform([outChannels], bound, generator, dtype)) : null;
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    /// <summary>The kernel, shape [out, in/groups, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, shape [out], or null.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Size(1) != InChannels)
            throw new ArgumentException($"Conv2d({InChannels} → {OutChannels}): expects input [N, {InChannels}, H, W], got [{string.Join(", ", input.Shape)}]", nameof(input));
        return Torch.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    protected override string Describe() =>
        $"{InChannels}, {OutChannels}, kernel={KernelSize}, stride={Stride}, padding={Padding}" +
        (Dilation != 1 ? $", dilation={Dilation}" : "") + (Groups != 1 ? $", groups={Groups}" : "") + $", bias={Bias is not null}";
}
