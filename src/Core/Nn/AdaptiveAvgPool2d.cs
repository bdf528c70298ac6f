namespace ReLICv2.Nn;

/// <summary>Average pooling of [N, C, H, W] to a fixed [N, C, height, width], as torch.nn.AdaptiveAvgPool2d; (1, 1) is global average pooling.</summary>
public sealed class AdaptiveAvgPool2d : Module
{
    public AdaptiveAvgPool2d(long height = 1, long width = 1)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "AdaptiveAvgPool2d: height must be >= 1");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "AdaptiveAvgPool2d: width must be >= 1");
        Height = height;
        Width = width;
    }

    public long Height { get; }
    public long Width { get; }

    public override Tensor Forward(Tensor input) => Torch.AdaptiveAvgPool2d(input, Height, Width);

    protected override string Describe() => $"{Height}, {Width}";
}
