namespace ReLICv2.Nn;

/// <summary>Max pooling over square windows of [N, C, H, W], as torch.nn.MaxPool2d (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d : Module
{
    public MaxPool2d(long kernelSize, long? stride = null, long padding = 0)
    {
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "MaxPool2d: kernelSize must be >= 1");
        if (stride is < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "MaxPool2d: stride must be >= 1");
        if (padding < 0 || padding > kernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"MaxPool2d: padding must be in [0, kernelSize/2 = {kernelSize / 2}]");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }

    public override Tensor Forward(Tensor input) => Torch.MaxPool2d(input, KernelSize, Stride, Padding);

    protected override string Describe() => $"kernel={KernelSize}, stride={Stride}, padding={Padding}";
}
