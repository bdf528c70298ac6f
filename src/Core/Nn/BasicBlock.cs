namespace ReLICv2.Nn;

/// <summary>
/// The two-convolution residual block of ResNet-18/34 (He et al. 2016, Fig. 2 left), as torchvision's BasicBlock:
/// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut a strided 1×1 convolution + BN (<c>downsample</c>)
/// when the shape changes.
/// </summary>
public sealed class BasicBlock : Module
{
    /// <summary>Output channels = planes × <see cref="Expansion"/>.</summary>
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates the block (convolutions without bias; weights from <paramref name="generator"/>).</summary>
    public BasicBlock(long inChannels, long planes, long stride, Generator generator, DType dtype = DType.Float32)
    {
        conv1 = RegisterModule("conv1", new Conv2d(inChannels, planes, 3, generator, stride: stride, padding: 1, bias: false, dtype: dtype));
        bn1 = RegisterModule("bn1", new BatchNorm2d(planes, dtype: dtype));
        conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, generator, padding: 1, bias: false, dtype: dtype));
        bn2 = RegisterModule("bn2", new BatchNorm2d(planes, dtype: dtype));
        if (stride != 1 || inChannels != planes * Expansion)
            downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inChannels, planes * Expansion, 1, generator, stride: stride, bias: false, dtype: dtype),
                new BatchNorm2d(planes * Expansion, dtype: dtype)));
    }

    /// <summary>The BatchNorm whose γ <c>zero_init_residual</c> sets to 0 (bn2).</summary>
    public BatchNorm2d LastBatchNorm => bn2;

    public override Tensor Forward(Tensor input)
    {
        using var scope = Torch.NewScope();
        var h = conv2.Forward(bn1.ForwardRelu(conv1.Forward(input)));
        var shortcut = downsample is null ? input : downsample.Forward(input);
        return scope.MoveOut(bn2.ForwardRelu(h, shortcut));
    }
}
