using ReLICv2.Distributed;

namespace ReLICv2.Nn;

/// <summary>
/// Batch normalisation over the channel dimension (dim 1), as torch.nn.BatchNorm1d/2d:
/// y = (x − μ) / √(σ² + ε) · γ + β. In training mode μ, σ² are the batch statistics (biased variance) and the running
/// statistics are updated as r ← (1 − m)·r + m·batch (the running variance from the unbiased batch variance), with m the
/// momentum, or the cumulative average 1/num_batches_tracked when the momentum is null; in evaluation mode the running
/// statistics normalise. Buffers <c>running_mean</c>, <c>running_var</c> and <c>num_batches_tracked</c> are named as in
/// PyTorch so torchvision state dicts load by name.
/// </summary>
public abstract class BatchNorm : Module
{
    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0 and running variance 1.</summary>
    /// <param name="numFeatures">Number of channels C.</param>
    /// <param name="eps">ε added to the variance, &gt; 0.</param>
    /// <param name="momentum">Running-statistics momentum in [0, 1] (PyTorch's 0.1 = a decay of 0.9), or null for a cumulative average.</param>
    /// <param name="affine">Whether γ and β are learned (weight, bias).</param>
    /// <param name="dtype">Floating-point type of the parameters and running statistics.</param>
    protected BatchNorm(long numFeatures, double eps, double? momentum, bool affine, DType dtype)
    {
        Init.CheckFloating(dtype, GetType().Name);
        if (numFeatures < 1) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, $"{GetType().Name}: numFeatures must be >= 1");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{GetType().Name}: eps must be > 0");
        if (momentum is { } m && !(m is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"{GetType().Name}: momentum must be in [0, 1] or null (cumulative average)");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Torch.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Torch.Zeros([numFeatures], dtype));
        }
        RunningMean = RegisterBuffer("running_mean", Torch.Zeros([numFeatures], dtype));
        RunningVar = RegisterBuffer("running_var", Torch.Ones([numFeatures], dtype));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Torch.Zeros([], DType.Int64));
    }

    public long NumFeatures { get; }

    public double Eps { get; }

    /// <summary>The running-statistics momentum, or null for a cumulative moving average.</summary>
    public double? Momentum { get; }

    /// <summary>γ, shape [C], or null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>β, shape [C], or null without affine parameters.</summary>
    public Tensor? Bias { get; }

    public Tensor RunningMean { get; }

    public Tensor RunningVar { get; }

    /// <summary>Number of training-mode forward passes so far (an Int64 scalar), as torchvision saves it.</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>Whether an input of this rank is accepted (2 or 3 for 1-D, 4 for 2-D).</summary>
    protected abstract bool AcceptsRank(int rank);

    /// <summary>The expected input layout for error messages.</summary>
    protected abstract string ExpectedLayout { get; }

    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        if (IsTraining && SyncGroup is { WorldSize: > 1 } group)
            return SynchronizedForward(input, group);
        var (runningMean, runningVar, factor) = NextRunningStatistics();
        return Torch.BatchNorm(input, runningMean, runningVar, Weight, Bias, IsTraining, factor, Eps);
    }

    /// <summary>
    /// relu(this(input) + residual), the residual optional (a ResNet block's shortcut), with the same running-statistics
    /// update as <see cref="Forward"/>; through <see cref="Torch.BatchNormRelu"/>'s fused kernel where it applies.
    /// </summary>
    /// <exception cref="ArgumentException">The input's layout or channels do not fit, or the residual's shape differs from the input's.</exception>
    public Tensor ForwardRelu(Tensor input, Tensor? residual = null)
    {
        CheckInput(input);
        if (residual is not null && !residual.Shape.SequenceEqual(input.Shape))
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): the residual's shape [{string.Join(", ", residual.Shape)}] differs from the input's [{string.Join(", ", input.Shape)}]", nameof(residual));
        if (IsTraining && SyncGroup is { WorldSize: > 1 } group)
        {
            using var scope = Torch.NewScope();
            var y = SynchronizedForward(input, group);
            return scope.MoveOut((residual is null ? y : y.Add(residual)).Relu());
        }
        var (runningMean, runningVar, factor) = NextRunningStatistics();
        return Torch.BatchNormRelu(input, residual, runningMean, runningVar, Weight, Bias, IsTraining, factor, Eps);
    }

    private void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank) || input.Size(1) != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): expects input {ExpectedLayout} with C = {NumFeatures}, got [{string.Join(", ", input.Shape)}]", nameof(input));
    }

    /// <summary>
    /// The running statistics a forward pass normalises with or updates, and the update's factor: in training mode the
    /// batch counter advances and the factor is the momentum (or 1/count for a cumulative average); with the running
    /// statistics frozen on this thread, none are passed (the batch's own statistics normalise and nothing is updated).
    /// </summary>
    private (Tensor? Mean, Tensor? Var, double Factor) NextRunningStatistics()
    {
        if (IsTraining && runningStatisticsFrozen > 0) return (null, null, 0.0);
        var factor = 0.0;
        if (IsTraining)
        {
            using (Torch.NoGrad())
            using (var next = NumBatchesTracked + 1)   // an int operand: Int64 + 1 stays Int64
                NumBatchesTracked.Copy_(next);
            factor = Momentum ?? 1.0 / NumBatchesTracked.ItemLong();
        }
        return (RunningMean, RunningVar, factor);
    }

    /// <summary>
    /// Synchronised batch norm (docs/distributed.md): when set to a group of more than one rank, training-mode forwards
    /// normalise with the statistics of the global batch — per-channel sums, sums of squares and counts all-reduced with
    /// <see cref="ProcessGroup.AllReduceSumWithGradient"/>, whose backward all-reduces the matching gradient sums — and
    /// the running statistics follow the global batch, identically on every rank. Null (the default) normalises each
    /// process's batch on its own. Every rank must forward the same layers in the same order.
    /// </summary>
    public ProcessGroup? SyncGroup { get; set; }

    /// <summary>Sets <see cref="SyncGroup"/> on every batch norm of <paramref name="root"/> (itself included); returns how many.</summary>
    public static int Synchronize(Module root, ProcessGroup? group)
    {
        ArgumentNullException.ThrowIfNull(root);
        var layers = root.NamedModules().Select(m => m.Module).Prepend(root).OfType<BatchNorm>().Distinct().ToList();
        foreach (var bn in layers) bn.SyncGroup = group;
        return layers.Count;
    }

    private Tensor SynchronizedForward(Tensor input, ProcessGroup group)
    {
        using var scope = Torch.NewScope();
        var c = NumFeatures;
        long[] dims = [0, .. Enumerable.Range(2, input.Rank - 2).Select(d => (long)d)];
        long[] shape = [1, c, .. Enumerable.Repeat(1L, input.Rank - 2)];
        var local = input.NumEl / c;
        var packed = Torch.Cat([input.Sum(dims), input.Square().Sum(dims), Torch.Full([1], local, input.DType, input.Device)]);
        var total = group.AllReduceSumWithGradient(packed);
        double count;
        using (Torch.NoGrad())
            count = total.Narrow(0, 2 * c, 1).Item();
        var mean = total.Narrow(0, 0, c) / count;
        var variance = (total.Narrow(0, c, c) / count - mean.Square()).ClampMin(0);
        var y = (input - mean.View(shape)) * (variance + Eps).Rsqrt().View(shape);
        if (Weight is not null && Bias is not null) y = y * Weight.View(shape) + Bias.View(shape);
        if (runningStatisticsFrozen == 0)
        {
            using var noGrad = Torch.NoGrad();
            using (var next = NumBatchesTracked + 1)   // in place, Add_ takes a double, which an Int64 counter refuses
                NumBatchesTracked.Copy_(next);
            var factor = Momentum ?? 1.0 / NumBatchesTracked.ItemLong();
            RunningMean.Mul_(1 - factor);
            RunningMean.Add_(mean.Detach(), factor);
            RunningVar.Mul_(1 - factor);
            RunningVar.Add_(variance.Detach(), factor * count / Math.Max(count - 1, 1));
        }
        return scope.MoveOut(y);
    }

    [ThreadStatic] private static int runningStatisticsFrozen;

    /// <summary>
    /// Until the returned value is disposed, training-mode batch norms on this thread normalise with the batch's statistics
    /// but leave the running statistics (and <see cref="NumBatchesTracked"/>) alone. Data-parallel shards other than the
    /// first use it, so that concurrent shards never write the same buffers: the running statistics follow shard 0.
    /// </summary>
    public static IDisposable FreezeRunningStatistics()
    {
        runningStatisticsFrozen++;
        return new FrozenRunningStatistics();
    }

    /// <summary>Whether <see cref="FreezeRunningStatistics"/> is in effect on this thread.</summary>
    public static bool RunningStatisticsFrozen => runningStatisticsFrozen > 0;

    private sealed class FrozenRunningStatistics : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            runningStatisticsFrozen--;
        }
    }

    /// <summary><c>num_batches_tracked</c> may be absent from a loaded state dict (older PyTorch files); it is then left unchanged.</summary>
    protected override IReadOnlyCollection<string> OptionalStateKeys => ["num_batches_tracked"];

    protected override string Describe() => $"{NumFeatures}, eps={Eps}, momentum={(Momentum is { } m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None")}, affine={Weight is not null}";
}
