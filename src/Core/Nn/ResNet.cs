namespace ReLICv2.Nn;

/// <summary>
/// The ResNet encoder f of ReLICv2 (He et al. 2016; paper §4 uses ResNet-50 1×/2×/4×, 101, 152, 200), as torchvision's
/// resnet18 … resnet152 without the classifier: stem (7×7/2 convolution, BN, ReLU, 3×3/2 max-pool), four stages of residual
/// blocks, global average pooling. <see cref="Forward"/> returns the pooled representation y = f(x) of shape
/// [N, <see cref="OutputDim"/>]. Parameter and buffer names equal torchvision's (<c>conv1.weight</c>, <c>layer1.0.bn1.running_var</c>,
/// <c>layer2.0.downsample.0.weight</c>), so torchvision state dicts load by name (without their <c>fc.*</c> entries).
/// </summary>
/// <remarks>
/// Depths and blocks: 18 = [2, 2, 2, 2] and 34 = [3, 4, 6, 3] basic blocks; 50 = [3, 4, 6, 3], 101 = [3, 4, 23, 3],
/// 152 = [3, 8, 36, 3] and 200 = [3, 24, 36, 3] bottleneck blocks. The width multiplier scales every channel count
/// (stem 64·w, stages 64·w … 512·w before expansion), as the SimCLR/BYOL wide ResNets. The small-image stem replaces the
/// 7×7/2 convolution with a 3×3/1 one and drops the max-pool (CIFAR-style, for 28–64 px inputs); the max-pool can be kept
/// or dropped independently of the stem (<c>stemMaxPool</c>): a 3×3/1 stem with the pool enters the stages at half the
/// image size, a quarter of the small stem's work with finer first features than the 7×7/2 stem. Initialisation is
/// torchvision's: Kaiming normal (fan-out, ReLU) for convolutions, BN γ = 1 and β = 0, and with <c>zeroInitResidual</c> the
/// last BN γ of every residual block set to 0, so each block starts as the identity.
/// </remarks>
public sealed class ResNet : Module
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    /// <summary>Builds the encoder; every initial weight is drawn from <paramref name="generator"/>.</summary>
    /// <param name="depth">18, 34, 50, 101, 152 or 200.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="widthMultiplier">1, 2 or 4 (channel multiplier).</param>
    /// <param name="smallImageStem">3×3 stride-1 stem convolution and no max-pool, for small images.</param>
    /// <param name="zeroInitResidual">Set the last BN γ of each residual block to 0.</param>
    /// <param name="inChannels">Input image channels (3 for RGB, 1 for grey-level).</param>
    /// <param name="dtype">Floating-point type of the weights (Float32 for training; Float64 for exact tests).</param>
    /// <param name="baseWidth">Channels of the stem and first stage (64 in torchvision; stages use 1, 2, 4, 8 times it). Narrow
    /// encoders (e.g. 32 or 16) suit small images and CPU budgets; 64 keeps torchvision's parameter counts.</param>
    /// <param name="stemMaxPool">Whether the stem ends with the 3×3/2 max-pool; null: torchvision's stem has it, the small stem not.</param>
    public ResNet(int depth, Generator generator, int widthMultiplier = 1, bool smallImageStem = false, bool zeroInitResidual = false,
        long inChannels = 3, DType dtype = DType.Float32, long baseWidth = 64, bool? stemMaxPool = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var (bottleneck, blocks) = depth switch
        {
            18 => (false, new[] { 2, 2, 2, 2 }),
            34 => (false, new[] { 3, 4, 6, 3 }),
            50 => (true, new[] { 3, 4, 6, 3 }),
            101 => (true, new[] { 3, 4, 23, 3 }),
            152 => (true, new[] { 3, 8, 36, 3 }),
            200 => (true, new[] { 3, 24, 36, 3 }),
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "ResNet: depth must be one of 18, 34, 50, 101, 152, 200"),
        };
        if (widthMultiplier is not (1 or 2 or 4))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "ResNet: widthMultiplier must be 1, 2 or 4");
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "ResNet: inChannels must be >= 1");
        if (baseWidth is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(baseWidth), baseWidth, "ResNet: baseWidth must be in [1, 1024]");
        Depth = depth;
        WidthMultiplier = widthMultiplier;
        SmallImageStem = smallImageStem;
        StemMaxPool = stemMaxPool ?? !smallImageStem;
        BaseWidth = baseWidth;
        var stem = baseWidth * widthMultiplier;
        conv1 = RegisterModule("conv1", smallImageStem
            ? new Conv2d(inChannels, stem, 3, generator, stride: 1, padding: 1, bias: false, dtype: dtype)
            : new Conv2d(inChannels, stem, 7, generator, stride: 2, padding: 3, bias: false, dtype: dtype));
        bn1 = RegisterModule("bn1", new BatchNorm2d(stem, dtype: dtype));
        if (StemMaxPool) maxpool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        var channels = stem;
        Sequential Stage(string name, long planes, int count, long stride)
        {
            var list = new List<Module>();
            for (var i = 0; i < count; i++)
            {
                Module block = bottleneck
                    ? new Bottleneck(channels, planes, i == 0 ? stride : 1, generator, dtype)
                    : new BasicBlock(channels, planes, i == 0 ? stride : 1, generator, dtype);
                channels = planes * (bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion);
                list.Add(block);
            }
            return RegisterModule(name, new Sequential(list));
        }
        layer1 = Stage("layer1", stem, blocks[0], 1);
        layer2 = Stage("layer2", 2 * stem, blocks[1], 2);
        layer3 = Stage("layer3", 4 * stem, blocks[2], 2);
        layer4 = Stage("layer4", 8 * stem, blocks[3], 2);
        OutputDim = channels;

        foreach (var m in NamedModules().Select(n => n.Module))
        {
            if (m is Conv2d conv) Init.KaimingNormalFanOut_(conv.Weight, generator);
            if (zeroInitResidual && m is BasicBlock basic) ZeroGamma(basic.LastBatchNorm);
            if (zeroInitResidual && m is Bottleneck bottle) ZeroGamma(bottle.LastBatchNorm);
        }
    }

    /// <summary>ResNet-18 (11,176,512 parameters at width 1 without the classifier).</summary>
    public static ResNet ResNet18(Generator generator, int widthMultiplier = 1, bool smallImageStem = false, bool zeroInitResidual = false) =>
        new(18, generator, widthMultiplier, smallImageStem, zeroInitResidual);

    /// <summary>ResNet-50 (23,508,032 parameters at width 1 without the classifier), the paper's main encoder.</summary>
    public static ResNet ResNet50(Generator generator, int widthMultiplier = 1, bool smallImageStem = false, bool zeroInitResidual = false) =>
        new(50, generator, widthMultiplier, smallImageStem, zeroInitResidual);

    public int Depth { get; }

    public int WidthMultiplier { get; }

    public bool SmallImageStem { get; }

    /// <summary>Whether the stem ends with the 3×3/2 max-pool.</summary>
    public bool StemMaxPool { get; }

    /// <summary>Channels of the stem at width 1 (torchvision: 64).</summary>
    public long BaseWidth { get; }

    /// <summary>Size of the pooled representation: 512·w for depths 18/34, 2048·w for the bottleneck depths.</summary>
    public long OutputDim { get; }

    /// <summary>The pooled representation [N, <see cref="OutputDim"/>] of images [N, C, H, W].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = Torch.NewScope();
        var x = bn1.ForwardRelu(conv1.Forward(input));
        if (maxpool is not null) x = maxpool.Forward(x);
        x = layer4.Forward(layer3.Forward(layer2.Forward(layer1.Forward(x))));
        return scope.MoveOut(x.Mean([2L, 3L]));
    }

    protected override string Describe() => $"depth={Depth}, width={WidthMultiplier}x, baseWidth={BaseWidth}, smallImageStem={SmallImageStem}, stemMaxPool={StemMaxPool}, outputDim={OutputDim}";

    private static void ZeroGamma(BatchNorm2d bn)
    {
        using (Torch.NoGrad()) bn.Weight!.Zero_();
    }
}
