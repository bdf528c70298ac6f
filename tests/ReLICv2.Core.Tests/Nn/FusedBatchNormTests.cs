using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The fused relu(batch_norm(x) + r) kernel (Torch.BatchNormRelu) against libtorch's own batch norm, addition and ReLU
/// computed in float64, on generated shapes, layouts and values: outputs, running statistics and every gradient.
/// </summary>
public class FusedBatchNormTests
{
    private static readonly Config Cfg = Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true);

    /// <summary>A case: [N, C, H, W] (rank 4, channels-last) or [N, C] (rank 2), with or without residual and affine parameters.</summary>
    public sealed record Case(int N, int C, int H, int W, bool Rank4, bool Residual, bool Affine, bool TrainAffine, double Offset, int Seed)
    {
        public long[] Shape => Rank4 ? [N, C, H, W] : [N, C];

        public override string ToString() =>
            $"[{string.Join(", ", Shape)}]{(Rank4 ? " channels-last" : "")}, residual {Residual}, affine {Affine} (trained {TrainAffine}), offset {Offset}, seed {Seed}";
    }

    private static Gen<Case> Cases() =>
        from rank4 in Gen.Elements(true, true, false)
        from n in Gen.Choose(1, 5)
        from c in Gen.Choose(1, 40)
        from h in rank4 ? Gen.Choose(1, 6) : Gen.Constant(1)
        from w in rank4 ? Gen.Choose(1, 6) : Gen.Constant(1)
        from residual in Gen.Elements(true, false)
        from affine in Gen.Elements(true, true, false)
        from trainAffine in Gen.Elements(true, false)
        from offset in Gen.Elements(0.0, 0.0, 3.0, 1000.0)
        from seed in Gen.Choose(0, 1_000_000)
        where n * h * w >= 2
        select new Case(n, c, h, w, rank4, residual, affine, trainAffine, offset, seed);

    /// <summary>The case's tensors in float32 (rows of channels) and the same values in float64 (contiguous).</summary>
    private sealed class Inputs
    {
        public required Tensor X, X64, G;
        public Tensor G64 = null!;
        public Tensor? R, R64, Weight, Weight64, Bias, Bias64;
    }

    private static Inputs Make(Case k)
    {
        using var g = new Generator((ulong)k.Seed);
        var shape = k.Shape;
        var format = k.Rank4 ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
        Tensor Float(Tensor t) => t.To(DType.Float32).Contiguous(format);
        // Channel c of x has mean offset·(c + 1) / C and a spread that differs by channel.
        var channelShape = k.Rank4 ? new long[] { 1, k.C, 1, 1 } : [1, k.C];
        var spread = Torch.Rand([k.C], g, DType.Float64).View(channelShape) * 2 + 0.25;
        var offsets = Torch.Arange(1, k.C + 1, dtype: DType.Float64).View(channelShape) * (k.Offset / k.C);
        var x = Float(Torch.Randn(shape, g, DType.Float64) * spread + offsets);
        var inputs = new Inputs
        {
            X = x.RequireGrad(true),
            X64 = x.Detach().To(DType.Float64).Contiguous().RequireGrad(true),
            // The incoming gradient in plain contiguous layout: the fused backward must accept any layout.
            G = Torch.Randn(shape, g, DType.Float64).To(DType.Float32),
        };
        inputs.G64 = inputs.G.To(DType.Float64);
        if (k.Residual)
        {
            var r = Float(Torch.Randn(shape, g, DType.Float64));
            inputs.R = r.RequireGrad(true);
            inputs.R64 = r.Detach().To(DType.Float64).Contiguous().RequireGrad(true);
        }
        if (k.Affine)
        {
            var w = Torch.Randn([k.C], g, DType.Float64).To(DType.Float32);
            var b = Torch.Randn([k.C], g, DType.Float64).To(DType.Float32);
            inputs.Weight = w.RequireGrad(k.TrainAffine);
            inputs.Bias = b.RequireGrad(k.TrainAffine);
            inputs.Weight64 = w.Detach().To(DType.Float64).RequireGrad(k.TrainAffine);
            inputs.Bias64 = b.Detach().To(DType.Float64).RequireGrad(k.TrainAffine);
        }
        return inputs;
    }

    private static void Close(Tensor expected64, Tensor actual, double rtol, double atol, string what, Case k)
    {
        var e = expected64.ToArray<double>();
        var a = actual.To(DType.Float64).Contiguous().ToArray<double>();
        Assert.Equal(e.Length, a.Length);
        for (var i = 0; i < e.Length; i++)
            if (!(Math.Abs(e[i] - a[i]) <= atol + rtol * Math.Abs(e[i])))
                Assert.Fail($"{what} of {k}: element {i} is {a[i]}, the float64 reference {e[i]} (rtol {rtol}, atol {atol})");
    }

    [Fact]
    public void Fused_forward_backward_and_running_statistics_equal_the_float64_composite()
    {
        Prop.ForAll(Cases().ToArbitrary(), k =>
        {
            using var scope = Torch.NewScope();
            var t = Make(k);
            var rm = Torch.Zeros([k.C]) + 0.5;
            var rv = Torch.Ones([k.C]) * 2;
            var rm64 = rm.To(DType.Float64);
            var rv64 = rv.To(DType.Float64);
            var y = Torch.BatchNormRelu(t.X, t.R, rm, rv, t.Weight, t.Bias, training: true, momentum: 0.1, eps: 1e-5, fuse: true);
            var z64 = Torch.BatchNorm(t.X64, rm64, rv64, t.Weight64, t.Bias64, training: true, momentum: 0.1, eps: 1e-5);
            var y64 = (t.R64 is null ? z64 : z64 + t.R64).Relu();

            // The output keeps the input's layout. Offsets of 1000 against unit spreads lose float32 digits in x itself.
            Assert.True(!k.Rank4 || y.IsContiguousIn(MemoryFormat.ChannelsLast), $"{k}: the output is not channels-last");
            var atol = k.Offset > 100 ? 2e-3 : 2e-5;
            Close(y64, y, 1e-5, atol, "output", k);
            Close(rm64, rm, 1e-6, 1e-5 * (1 + k.Offset), "running mean", k);
            Close(rv64, rv, 1e-5, 1e-5 * (1 + k.Offset), "running variance", k);

            Tensor[] inputs = [t.X, .. new[] { t.R, k.TrainAffine ? t.Weight : null, k.TrainAffine ? t.Bias : null }.OfType<Tensor>()];
            Tensor[] inputs64 = [t.X64, .. new[] { t.R64, k.TrainAffine ? t.Weight64 : null, k.TrainAffine ? t.Bias64 : null }.OfType<Tensor>()];
            var grads = Torch.Grad([y], inputs, [t.G]);
            // ReLU's derivative is ambiguous where the pre-activation is within rounding of 0: the reference takes the
            // fused output's mask, which must agree with its own wherever the pre-activation is clearly away from 0.
            var pre64 = t.R64 is null ? z64 : z64 + t.R64;
            var mask = y.Detach().Gt(0).To(DType.Float64);
            var m = mask.Contiguous().ToArray<double>();
            var p = pre64.Detach().Contiguous().ToArray<double>();
            for (var i = 0; i < m.Length; i++)
                if (Math.Abs(p[i]) > 10 * atol && (p[i] > 0) != (m[i] > 0))
                    Assert.Fail($"{k}: the ReLU mask at element {i} is {m[i]} for a pre-activation of {p[i]}");
            var grads64 = Torch.Grad([pre64], inputs64, [t.G64 * mask]);
            string[] names = ["dx", .. new[] { t.R is null ? null : "dresidual", k.TrainAffine && k.Affine ? "dweight" : null, k.TrainAffine && k.Affine ? "dbias" : null }.OfType<string>()];
            for (var i = 0; i < inputs.Length; i++)
            {
                Assert.NotNull(grads[i]);
                // A gradient through the normalisation scales with 1/σ; its float32 rounding with the offset's lost digits.
                var gtol = k.Offset > 100 ? 5e-2 : 5e-4;
                Close(grads64[i]!, grads[i]!, 1e-3, gtol, names[i], k);
            }
        }).Check(Cfg);
    }

    [Fact]
    public void Fused_and_composite_paths_agree_and_layouts_outside_the_fused_kernel_take_the_composite()
    {
        // libtorch's float32 batch norm normalises as x·a + b, which loses the digits an offset of 1000 leaves: moderate offsets only.
        Prop.ForAll(Cases().Where(k => k.Rank4 && k.Offset < 100).ToArbitrary(), k =>
        {
            using var scope = Torch.NewScope();
            var t = Make(k);
            var fused = Torch.BatchNormRelu(t.X, t.R, null, null, t.Weight, t.Bias, training: true, fuse: true);
            var composite = Torch.BatchNormRelu(t.X, t.R, null, null, t.Weight, t.Bias, training: true, fuse: false);
            // The same input in NCHW layout cannot take the fused kernel and gives the same function.
            var nchw = Torch.BatchNormRelu(t.X.Contiguous(), t.R?.Contiguous(), null, null, t.Weight, t.Bias, training: true, fuse: true);
            const double atol = 2e-5;
            using var c64 = composite.To(DType.Float64);
            using var n64 = nchw.To(DType.Float64);
            Close(c64, fused, 1e-5, atol, "fused against composite", k);
            Close(c64, nchw, 1e-5, atol, "NCHW against composite", k);
        }).Check(Cfg);
    }

    [Fact]
    public void Evaluation_mode_normalises_with_the_running_statistics()
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(5);
        var x = Torch.Randn([3, 4, 2, 2], g).Contiguous(MemoryFormat.ChannelsLast);
        var r = Torch.Randn([3, 4, 2, 2], g).Contiguous(MemoryFormat.ChannelsLast);
        var rm = Torch.FromArray(new float[] { 0.5f, -1, 0, 2 });
        var rv = Torch.FromArray(new float[] { 4, 0.25f, 1, 9 });
        var y = Torch.BatchNormRelu(x, r, rm, rv, training: false, eps: 1e-3, fuse: true);
        var expected = ((x - rm.View(1, 4, 1, 1)) / (rv.View(1, 4, 1, 1) + 1e-3).Sqrt() + r).Relu();
        Assert.True(y.AllClose(expected, 1e-6, 1e-6));
        Assert.Equal([0.5f, -1, 0, 2], rm.ToArray<float>());
    }

    [Fact]
    public void The_module_forward_with_relu_follows_forward_and_freezing_leaves_the_running_statistics_alone()
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(9);
        using var a = new BatchNorm2d(6);
        using var b = new BatchNorm2d(6);
        var x = Torch.Randn([4, 6, 3, 3], g).Contiguous(MemoryFormat.ChannelsLast) * 2 + 1;
        var r = Torch.Randn([4, 6, 3, 3], g).Contiguous(MemoryFormat.ChannelsLast);
        var fused = a.ForwardRelu(x, r);
        var plain = (b.Forward(x) + r).Relu();
        Assert.True(fused.AllClose(plain, 1e-5, 1e-5));
        Assert.True(a.RunningMean.AllClose(b.RunningMean, 1e-6, 1e-6));
        Assert.True(a.RunningVar.AllClose(b.RunningVar, 1e-5, 1e-6));
        Assert.Equal(1, a.NumBatchesTracked.ItemLong());

        var before = a.RunningMean.Clone();
        using (BatchNorm.FreezeRunningStatistics())
            a.ForwardRelu(x * 3, r);
        Assert.True(a.RunningMean.Equal(before));
        Assert.Equal(1, a.NumBatchesTracked.ItemLong());

        var ex = Assert.Throws<ArgumentException>(() => a.ForwardRelu(x, r.Narrow(0, 0, 2)));
        Assert.Contains("residual", ex.Message);
        Assert.Contains("[2, 6, 3, 3]", ex.Message);
    }

    [Fact]
    public void One_layer_forwarded_through_both_paths_in_one_graph_differentiates_as_the_composite_does()
    {
        // ATen's batch norm saves the running statistics for its backward; the fused kernel's update of them (a 1×1 map is
        // channels-last as well, so the deepest stage of a network can take both paths in one step) must not invalidate that.
        using var scope = Torch.NewScope();
        using var g = new Generator(11);
        var x1 = Torch.Randn([3, 4, 3, 2], g);                                  // NCHW: the composite
        var x2 = Torch.Randn([5, 4, 1, 1], g).Contiguous(MemoryFormat.ChannelsLast);   // rows of channels: fused
        Tensor?[] Gradients(bool fuse)
        {
            using var weights = new Generator(12);
            var w = (Torch.Rand([4], weights) + 0.5).RequireGrad();
            var b = Torch.Zeros([4]).RequireGrad();
            var rm = Torch.Zeros([4]);
            var rv = Torch.Ones([4]);
            var y1 = Torch.BatchNormRelu(x1, null, rm, rv, w, b, training: true, fuse: fuse);
            var y2 = Torch.BatchNormRelu(x2, null, rm, rv, w, b, training: true, fuse: fuse);
            var y3 = Torch.BatchNormRelu(x1 * 2, null, rm, rv, w, b, training: true, fuse: fuse);
            return Torch.Grad([(y1 * y1).Sum() + (y2 * y2).Sum() + y3.Sum()], [w, b]);
        }
        var fused = Gradients(true);
        var composite = Gradients(false);
        Assert.True(fused[0]!.AllClose(composite[0]!, 1e-4, 1e-5), $"{fused[0]} against {composite[0]}");
        Assert.True(fused[1]!.AllClose(composite[1]!, 1e-4, 1e-5), $"{fused[1]} against {composite[1]}");
    }

    [Fact]
    public void A_sequential_runs_batch_norm_then_relu_fused_with_the_layers_own_result()
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(21);
        using var fused = new Sequential(new Linear(6, 16, g), new BatchNorm1d(16), new ReLU(), new Linear(16, 3, g));
        using var h = new Generator(21);
        using var layered = new Sequential(new Linear(6, 16, h), new BatchNorm1d(16), new ReLU(), new Linear(16, 3, h));
        var x = Torch.Randn([8, 6], g);
        var y = fused.Forward(x);
        // The same layers one by one, each through its own Forward.
        var z = x;
        for (var i = 0; i < layered.Count; i++) z = layered[i].Forward(z);
        Assert.True(y.AllClose(z, 1e-5, 1e-6));
        Assert.True(((BatchNorm)fused[1]).RunningVar.AllClose(((BatchNorm)layered[1]).RunningVar, 1e-6, 1e-7));
        var gy = Torch.Grad([y.Square().Sum()], [fused[0].Parameters().First()]);
        var gz = Torch.Grad([z.Square().Sum()], [layered[0].Parameters().First()]);
        Assert.True(gy[0]!.AllClose(gz[0]!, 1e-4, 1e-6));
    }

    [Fact]
    public void Bad_inputs_and_a_second_derivative_are_refused_with_messages()
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(3);
        var x = Torch.Randn([2, 3, 2, 2], g).Contiguous(MemoryFormat.ChannelsLast).RequireGrad(true);
        var ex = Assert.Throws<TorchException>(() => Torch.BatchNormRelu(x, Torch.Zeros(2, 3, 2, 1), null, null, training: true, fuse: true));
        Assert.Contains("residual's shape", ex.Message);
        ex = Assert.Throws<TorchException>(() => Torch.BatchNormRelu(Torch.Zeros(1, 3, 1, 1).Contiguous(MemoryFormat.ChannelsLast), null, null, null, training: true, fuse: true));
        Assert.Contains("more than 1 value per channel", ex.Message);

        var y = Torch.BatchNormRelu(x, null, null, null, training: true, fuse: true);
        ex = Assert.Throws<TorchException>(() => Torch.Grad([y.Sum()], [x], createGraph: true));
        Assert.Contains("FusedBatchNorm", ex.Message);
        // Without fusion the second derivative exists.
        var y2 = Torch.BatchNormRelu(x, null, null, null, training: true, fuse: false);
        var first = Torch.Grad([(y2 * y2).Sum()], [x], retainGraph: true, createGraph: true)[0]!;
        Assert.NotNull(Torch.Grad([first.Sum()], [x])[0]);
    }
}
