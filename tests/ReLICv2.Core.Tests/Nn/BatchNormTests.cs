using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

public class BatchNormTests
{
    // 4 samples × 2 channels, computed by hand below.
    private static readonly float[] Data = [1, -2, 3, 0, -1, 5, 4, 1];

    private static (double[] Mean, double[] BiasedVar, double[] UnbiasedVar) Stats()
    {
        var mean = new double[2];
        var sq = new double[2];
        for (var c = 0; c < 2; c++)
        {
            for (var n = 0; n < 4; n++) mean[c] += Data[n * 2 + c] / 4.0;
            for (var n = 0; n < 4; n++) sq[c] += Math.Pow(Data[n * 2 + c] - mean[c], 2);
        }
        return (mean, sq.Select(s => s / 4).ToArray(), sq.Select(s => s / 3).ToArray());
    }

    [Fact]
    public void Training_mode_normalises_with_batch_statistics_and_updates_running_statistics()
    {
        using var bn = new BatchNorm1d(2, eps: 1e-5, momentum: 0.1);
        using var scope = Torch.NewScope();
        using (Torch.NoGrad())
        {
            bn.Weight!.Copy_(Torch.FromArray(new float[] { 2, 0.5f }));
            bn.Bias!.Copy_(Torch.FromArray(new float[] { 1, -1 }));
        }
        var y = bn.Forward(Torch.FromArray(Data, 4, 2)).ToArray<float>();
        var (mean, biased, unbiased) = Stats();
        double[] gamma = [2, 0.5], beta = [1, -1];
        for (var n = 0; n < 4; n++)
        for (var c = 0; c < 2; c++)
            Assert.Equal((Data[n * 2 + c] - mean[c]) / Math.Sqrt(biased[c] + 1e-5) * gamma[c] + beta[c], y[n * 2 + c], 5);
        var rm = bn.RunningMean.ToArray<float>();
        var rv = bn.RunningVar.ToArray<float>();
        for (var c = 0; c < 2; c++)
        {
            Assert.Equal(0.9 * 0 + 0.1 * mean[c], rm[c], 6);
            Assert.Equal(0.9 * 1 + 0.1 * unbiased[c], rv[c], 5);
        }
        Assert.Equal(1, bn.NumBatchesTracked.ItemLong());
    }

    [Fact]
    public void Eval_mode_normalises_with_running_statistics_and_leaves_them_unchanged()
    {
        using var bn = new BatchNorm1d(2, eps: 1e-3);
        using var scope = Torch.NewScope();
        using (Torch.NoGrad())
        {
            bn.RunningMean.Copy_(Torch.FromArray(new float[] { 0.5f, -1 }));
            bn.RunningVar.Copy_(Torch.FromArray(new float[] { 4, 0.25f }));
        }
        bn.Eval();
        var y = bn.Forward(Torch.FromArray(Data, 4, 2)).ToArray<float>();
        double[] m = [0.5, -1], v = [4, 0.25];
        for (var i = 0; i < 8; i++)
            Assert.Equal((Data[i] - m[i % 2]) / Math.Sqrt(v[i % 2] + 1e-3), y[i], 5);
        Assert.Equal([0.5f, -1f], bn.RunningMean.ToArray<float>());
        Assert.Equal(0, bn.NumBatchesTracked.ItemLong());
    }

    [Fact]
    public void Null_momentum_keeps_the_cumulative_average_of_batch_means()
    {
        using var bn = new BatchNorm2d(1, momentum: null, affine: false);
        using var scope = Torch.NewScope();
        bn.Forward(Torch.Full([2, 1, 2, 2], 3.0));
        bn.Forward(Torch.Full([2, 1, 2, 2], -1.0));
        bn.Forward(Torch.Full([2, 1, 2, 2], 4.0));
        Assert.Equal(2.0, bn.RunningMean.Item(), 6);
        Assert.Equal(0.0, bn.RunningVar.Item(), 6);
        Assert.Equal(3, bn.NumBatchesTracked.ItemLong());
        Assert.Empty(bn.Parameters());
    }

    [Fact]
    public void Wrong_input_layout_and_invalid_options_are_rejected_with_the_value()
    {
        using var bn = new BatchNorm2d(3);
        using var scope = Torch.NewScope();
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(Torch.Zeros(2, 4, 5, 5)));
        Assert.Contains("C = 3", ex.Message);
        Assert.Contains("[2, 4, 5, 5]", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0));
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(2, momentum: 1.5)).Message);
        Assert.Contains("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(2, eps: 0)).Message);
    }

    [Fact]
    public void Frozen_running_statistics_normalise_with_the_batch_and_leave_the_buffers_alone_on_this_thread_only()
    {
        using var bn = new BatchNorm1d(2, eps: 1e-5, momentum: 0.1);
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(Data, 4, 2);
        var (mean, biased, _) = Stats();
        float[] y;
        using (BatchNorm.FreezeRunningStatistics())
        {
            Assert.True(BatchNorm.RunningStatisticsFrozen);
            // Another thread is not frozen: its forward updates the buffers once.
            var other = new Thread(() =>
            {
                using var s = Torch.NewScope();
                Assert.False(BatchNorm.RunningStatisticsFrozen);
                bn.Forward(Torch.FromArray(Data, 4, 2));
            });
            other.Start();
            other.Join();
            Assert.Equal(1, bn.NumBatchesTracked.ItemLong());
            var runningMean = bn.RunningMean.ToArray<float>();
            y = bn.Forward(x).ToArray<float>();
            Assert.Equal(1, bn.NumBatchesTracked.ItemLong());
            Assert.Equal(runningMean, bn.RunningMean.ToArray<float>());
        }
        Assert.False(BatchNorm.RunningStatisticsFrozen);
        for (var n = 0; n < 4; n++)
        for (var c = 0; c < 2; c++)
            Assert.Equal((Data[n * 2 + c] - mean[c]) / Math.Sqrt(biased[c] + 1e-5), y[n * 2 + c], 5);
        bn.Forward(x);
        Assert.Equal(2, bn.NumBatchesTracked.ItemLong());
    }
}
