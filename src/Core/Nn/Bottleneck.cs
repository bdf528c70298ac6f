namespace ReLICv2.Nn;

/// <summary>
/// The bottleneck residual block of ResNet-50/101/152/200 (He et al. 2016, Fig. 5 right), as torchvision's Bottleneck
/// (ResNet v1.5: the stride sits on the 3×3 convolution): 1×1 (width) → 3×3 (width, stride) → 1×1 (planes × 4), each followed
/// by BN, ReLU after the first two and after the residual sum; the shortcut is a strided 1×1 convolution + BN when the shape changes.
/// </summary>
public sealed class Bottleneck : Module
{
    /// <summary>Output channels = planes × <see cref="Expansion"/>.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    /// <summary>Creates the block (convolutions without bias; weights from <paramref name="generator"/>).</summary>
    public Bottleneck(long inChannels, long planes, long stride, Generator generator, DType dtype = DType.Float32)
    {
        conv1 = RegisterModule("conv1", new Conv2d(inChannels, planes, 1, generator, bias: false, dtype: dtype));
        bn1 = RegisterModule("bn1", new BatchNorm2d(planes, dtype: dtype));
        conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, generator, stride: stride, padding: 1, bias: false, dtype: dtype));
        bn2 = RegisterModule("bn2", new BatchNorm2d(planes, dtype: dtype));
        conv3 = RegisterModule("conv3", new Conv2d(planes, planes * Expansion, 1, generator, bias: false, dtype: dtype));
        bn3 = RegisterModule("bn3", new BatchNorm2d(planes * Expansion, dtype: dtype));
        if (stride != 1 || inChannels != planes * Expansion)
            downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inChannels, planes * Expansion, 1, generator, stride: stride, bias: false, dtype: dtype),
                new BatchNorm2d(planes * Expansion, dtype: dtype)));
    }

    /// <summary>The BatchNorm whose γ <c>zero_init_residual</c> sets to 0 (bn3).</summary>
    public BatchNorm2d LastBatchNorm => bn3;

    public override Tensor Forward(Tensor input)
    {
        using var scope = Torch.NewScope();
        var h = bn1.ForwardRelu(conv1.Forward(input));
        h = conv3.Forward(bn2.ForwardRelu(conv2.Forward(h)));
        var shortcut = downsample is null ? input : downsample.Forward(input);
        return scope.MoveOut(bn3.ForwardRelu(h, shortcut));
    }
}
