namespace ReLICv2;

// Functional neural-network operations; modules (Core/Nn) and losses (Core/Losses) are built on these.
public static partial class Torch
{
    /// <summary>x·Wᵀ + b.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(Native.rs_linear(input.H, weight.H, bias?.H ?? TensorHandle.Null, out var r), r);

    /// <summary>2-D convolution of [N, C, H, W] input with [O, C/groups, kH, kW] weights; square stride, padding, dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        Conv2d(input, weight, bias, [stride, stride], [padding, padding], [dilation, dilation], groups);

    /// <summary>2-D convolution with (height, width) stride, padding and dilation.</summary>
    public static unsafe Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
    {
        Check2(stride, nameof(stride));
        Check2(padding, nameof(padding));
        Check2(dilation, nameof(dilation));
        fixed (long* s = stride)
        fixed (long* p = padding)
        fixed (long* d = dilation)
            return Tensor.Wrap(Native.rs_conv2d(input.H, weight.H, bias?.H ?? TensorHandle.Null, s, p, d, groups, out var r), r);
    }

    /// <summary>
    /// Batch normalisation over dim 1. In training mode the batch statistics normalise and, when running statistics are
    /// given, update them in place (running ← (1 − momentum)·running + momentum·batch, the variance unbiased); in
    /// evaluation mode the running statistics normalise.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        Tensor.Wrap(Native.rs_batch_norm(input.H, weight?.H ?? TensorHandle.Null, bias?.H ?? TensorHandle.Null,
            runningMean?.H ?? TensorHandle.Null, runningVar?.H ?? TensorHandle.Null, training ? 1 : 0, momentum, eps, out var r), r);

    /// <summary>
    /// relu(batch_norm(input) + residual), the residual optional: the tail of a ResNet block. In training mode on the CPU
    /// with float32 tensors laid out as rows of channels (channels-last [N, C, H, W] or contiguous [N, C]) and
    /// <see cref="FusedBatchNorm"/> on, one fused kernel computes it (one pass forward, two backward, against four and five
    /// for the three operations; it has no second derivative); otherwise the composite of <see cref="BatchNorm"/>, addition
    /// and ReLU. Both update the running statistics as <see cref="BatchNorm"/> does. <paramref name="fuse"/> overrides
    /// <see cref="FusedBatchNorm"/> for this call (false: always the composite).
    /// </summary>
    /// <exception cref="TorchException">The residual's shape differs from the input's, or a training batch has one value per channel.</exception>
    public static Tensor BatchNormRelu(Tensor input, Tensor? residual, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null,
        Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5, bool? fuse = null) =>
        Tensor.Wrap(Native.rs_batch_norm_relu(input.H, weight?.H ?? TensorHandle.Null, bias?.H ?? TensorHandle.Null, residual?.H ?? TensorHandle.Null,
            runningMean?.H ?? TensorHandle.Null, runningVar?.H ?? TensorHandle.Null, training ? 1 : 0, momentum, eps, (fuse ?? FusedBatchNorm) ? 1 : 0, out var r), r);

    /// <summary>
    /// Whether <see cref="BatchNormRelu"/> may use its fused kernel (process-wide; default on, off when the environment
    /// variable <c>RELIC_FUSED_BATCH_NORM</c> is <c>0</c>). Turn it off to differentiate an encoder twice (the fused
    /// kernel has no second derivative) or to measure the composite (<c>relic bench step --unfused</c>).
    /// </summary>
    public static bool FusedBatchNorm { get; set; } = Environment.GetEnvironmentVariable("RELIC_FUSED_BATCH_NORM") != "0";

    public static unsafe Tensor MaxPool2d(Tensor input, long kernel, long? stride = null, long padding = 0, bool ceilMode = false)
    {
        long[] k = [kernel, kernel], s = [stride ?? kernel, stride ?? kernel], p = [padding, padding];
        fixed (long* pk = k)
        fixed (long* ps = s)
        fixed (long* pp = p)
            return Tensor.Wrap(Native.rs_max_pool2d(input.H, pk, ps, pp, ceilMode ? 1 : 0, out var r), r);
    }

    public static unsafe Tensor AvgPool2d(Tensor input, long kernel, long? stride = null, long padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        long[] k = [kernel, kernel], s = [stride ?? kernel, stride ?? kernel], p = [padding, padding];
        fixed (long* pk = k)
        fixed (long* ps = s)
        fixed (long* pp = p)
            return Tensor.Wrap(Native.rs_avg_pool2d(input.H, pk, ps, pp, ceilMode ? 1 : 0, countIncludePad ? 1 : 0, out var r), r);
    }

    public static unsafe Tensor AdaptiveAvgPool2d(Tensor input, long height, long width)
    {
        long[] size = [height, width];
        fixed (long* p = size) return Tensor.Wrap(Native.rs_adaptive_avg_pool2d(input.H, p, out var r), r);
    }

    /// <summary>
    /// Resizes [N, C, H, W] to [N, C, height, width]. <paramref name="antialias"/> (bilinear and bicubic only) low-pass
    /// filters when downsampling, as torchvision's Resize(antialias=True).
    /// </summary>
    public static unsafe Tensor Interpolate(Tensor input, long height, long width, InterpolationMode mode = InterpolationMode.Bilinear,
        bool alignCorners = false, bool antialias = false)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "Interpolate: height must be > 0");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "Interpolate: width must be > 0");
        long[] size = [height, width];
        fixed (long* p = size)
            return Tensor.Wrap(Native.rs_interpolate(input.H, p, (int)mode, alignCorners ? 1 : 0, antialias ? 1 : 0, 0, 0, out var r), r);
    }

    /// <summary>Sampling grid [N, H, W, 2] for the affine maps <paramref name="theta"/> [N, 2, 3] and output size [N, C, H, W].</summary>
    public static unsafe Tensor AffineGrid(Tensor theta, long[] size, bool alignCorners = false)
    {
        fixed (long* p = size) return Tensor.Wrap(Native.rs_affine_grid(theta.H, p, size.Length, alignCorners ? 1 : 0, out var r), r);
    }

    /// <summary>Samples <paramref name="input"/> [N, C, H, W] at the normalised coordinates of <paramref name="grid"/> [N, Ho, Wo, 2].</summary>
    public static Tensor GridSample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear, GridPadding padding = GridPadding.Zeros,
        bool alignCorners = false) =>
        Tensor.Wrap(Native.rs_grid_sample(input.H, grid.H, (int)mode, (int)padding, alignCorners ? 1 : 0, out var r), r);

    /// <summary>Pads the last dimensions; <paramref name="pads"/> lists (before, after) pairs starting with the last dimension.</summary>
    public static unsafe Tensor Pad(Tensor input, long[] pads, PadMode mode = PadMode.Constant, double value = 0)
    {
        fixed (long* p = pads) return Tensor.Wrap(Native.rs_pad(input.H, p, pads.Length, (int)mode, value, out var r), r);
    }

    public static Tensor Softmax(Tensor input, long dim) => input.Softmax(dim);

    public static Tensor LogSoftmax(Tensor input, long dim) => input.LogSoftmax(dim);

    /// <summary>
    /// Cross-entropy of <paramref name="logits"/> [N, C] against class indices [N] (Int64) or class probabilities [N, C],
    /// as torch.nn.functional.cross_entropy.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100, double labelSmoothing = 0) =>
        WithBatchMean(reduction, logits, red => Tensor.Wrap(Native.rs_cross_entropy(logits.H, target.H, weight?.H ?? TensorHandle.Null, red,
            ignoreIndex, labelSmoothing, out var r), r));

    /// <summary>Negative log-likelihood of log-probabilities [N, C] at class indices [N].</summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignoreIndex = -100) =>
        WithBatchMean(reduction, logProbabilities, red => Tensor.Wrap(Native.rs_nll_loss(logProbabilities.H, target.H, weight?.H ?? TensorHandle.Null, red,
            ignoreIndex, out var r), r));

    /// <summary>
    /// KL(target ‖ input) with <paramref name="input"/> given as log-probabilities, as torch.nn.functional.kl_div:
    /// elementwise target·(log target − input); <paramref name="logTarget"/> when the target is given as log-probabilities.
    /// Use <see cref="Reduction.BatchMean"/> for the per-sample mean of the KL.
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false) =>
        WithBatchMean(reduction, input, red => Tensor.Wrap(Native.rs_kl_div(input.H, target.H, red, logTarget ? 1 : 0, out var r), r));

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        WithBatchMean(reduction, input, red => Tensor.Wrap(Native.rs_mse_loss(input.H, target.H, red, out var r), r));

    /// <summary>x / max(‖x‖_p, eps) along <paramref name="dim"/>, as torch.nn.functional.normalize.</summary>
    public static Tensor Normalize(Tensor input, double p = 2, long dim = 1, double eps = 1e-12)
    {
        using var norm = input.Norm(p, dim, keepDim: true);
        using var clamped = norm.ClampMin(eps);
        using var expanded = clamped.ExpandAs(input);
        return input.Div(expanded);
    }

    /// <summary>Zeroes elements with probability p (mask drawn from <paramref name="generator"/>) and scales the rest by 1/(1 − p); identity when not training.</summary>
    public static Tensor Dropout(Tensor input, double p, bool training, Generator generator)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1]");
        if (!training || p == 0) return input.Alias();
        if (p == 1) return input.Mul(0.0);
        using var keep = Full(input.Shape, 1 - p, input.DType, input.Device);
        using var mask = Bernoulli(keep, generator);
        using var scaled = input.Mul(mask);
        return scaled.Div(1 - p);
    }

    /// <summary>One-hot encoding of Int64 class indices.</summary>
    public static Tensor OneHot(Tensor indices, long classes = -1) => Tensor.Wrap(Native.rs_one_hot(indices.H, classes, out var r), r);

    private static Tensor WithBatchMean(Reduction reduction, Tensor input, Func<int, Tensor> loss)
    {
        if (reduction != Reduction.BatchMean) return loss((int)reduction);
        using var sum = loss((int)Reduction.Sum);
        var batch = input.Rank == 0 ? 1 : input.Size(0);
        return sum.Div(batch);
    }

    private static void Check2(long[] values, string name)
    {
        if (values.Length != 2) throw new ArgumentException($"{name} must have 2 values (height, width), got {values.Length}", name);
    }
}
