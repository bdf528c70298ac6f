using Xunit;

namespace ReLICv2.Tests;

/// <summary>Creation, conversion, random generators, shape and in-place operations, display and engine facts.</summary>
public class TensorApiTests
{
    [Fact]
    public void Arrays_round_trip_for_every_supported_dtype()
    {
        using var scope = Torch.NewScope();
        Assert.Equal(new float[] { 1.5f, -2 }, Torch.FromArray(new[] { 1.5f, -2f }).ToArray<float>());
        Assert.Equal(new double[] { 1.25, 3 }, Torch.FromArray(new[] { 1.25, 3.0 }).ToArray<double>());
        Assert.Equal(new long[] { long.MaxValue, -1 }, Torch.FromArray(new[] { long.MaxValue, -1L }).ToArray<long>());
        Assert.Equal(new byte[] { 0, 255 }, Torch.FromArray(new byte[] { 0, 255 }).ToArray<byte>());
        Assert.Equal(new[] { true, false }, Torch.FromArray(new[] { true, false }).ToArray<bool>());
        var t = Torch.FromArray(new[] { 1f, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.Shape);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal(6, t.NumEl);
        Assert.Equal(new long[] { 5, 7, 9 }, t.To(DType.Int64).Sum(0).ToArray<long>());
        Assert.Throws<TorchException>(() => Torch.FromArray(new[] { 1f, 2, 3 }, 2, 2));
    }

    [Fact]
    public void Factories_produce_the_documented_values()
    {
        using var scope = Torch.NewScope();
        Assert.Equal(new float[] { 0, 0, 0, 0 }, Torch.Zeros(2, 2).ToArray<float>());
        Assert.Equal(new float[] { 1, 1, 1 }, Torch.Ones(3).ToArray<float>());
        Assert.Equal(new double[] { 2.5, 2.5 }, Torch.Full([2], 2.5, DType.Float64).ToArray<double>());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, Torch.Arange(4).ToArray<long>());
        Assert.Equal(new double[] { 1, 1.5, 2 }, Torch.Arange(1, 2.1, 0.5, DType.Float64).ToArray<double>());
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0 }, Torch.Eye(2, 3).ToArray<float>());
        Assert.Equal(new float[] { 0, 0.5f, 1 }, Torch.Linspace(0, 1, 3).ToArray<float>());
        Assert.Equal(7.0, Torch.Scalar(7).Item());
        Assert.Empty(Torch.Scalar(7).Shape);
    }

    [Fact]
    public void Seeded_generators_reproduce_their_streams_and_restore_their_state()
    {
        using var scope = Torch.NewScope();
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        Assert.True(Torch.Randn(g1, 5).Equal(Torch.Randn(g2, 5)));
        var state = g1.GetState();
        var next = Torch.Rand(g1, 5);
        Assert.False(next.Equal(Torch.Rand(g1, 5)));
        g1.SetState(state);
        Assert.True(next.Equal(Torch.Rand(g1, 5)));
        g2.Reseed(42);
        using var g3 = new Generator(42);
        Assert.True(Torch.RandPerm(10, g2).Equal(Torch.RandPerm(10, g3)));
        var perm = Torch.RandPerm(50, g3).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), perm.OrderBy(v => v));
        var ints = Torch.RandInt(3, 7, [1000], g3).ToArray<long>();
        Assert.All(ints, v => Assert.InRange(v, 3, 6));
        Assert.Equal(4, ints.Distinct().Count());
        var u = Torch.Rand([10000], g3, DType.Float64);
        Assert.InRange(u.Mean().Item(), 0.48, 0.52);
        var n = Torch.Randn([10000], g3, DType.Float64);
        Assert.InRange(n.Std(0).Item(), 0.97, 1.03);
    }

    [Fact]
    public void Shape_operations_select_the_documented_elements()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Arange(12).Reshape(3, 4);
        Assert.Equal(new long[] { 4, 5, 6, 7 }, x.Select(0, 1).ToArray<long>());
        Assert.Equal(new long[] { 1, 2, 5, 6, 9, 10 }, x.Narrow(1, 1, 2).Contiguous().ToArray<long>());
        Assert.Equal(new long[] { 0, 2, 8, 10 }, x.Slice(0, 0, 3, 2).Slice(1, 0, 4, 2).Contiguous().ToArray<long>());
        Assert.Equal(new long[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, x.T().Contiguous().ToArray<long>());
        Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, x.IndexSelect(0, Torch.FromArray(new long[] { 2, 0 })).ToArray<long>());
        Assert.Equal(new long[] { 3, 0, 1, 2 }, Torch.Arange(4).Roll(1, 0).ToArray<long>());
        Assert.Equal(new long[] { 3, 2, 1, 0 }, Torch.Arange(4).Flip(0).ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 0, 1 }, Torch.Arange(2).Repeat(2).ToArray<long>());
        Assert.Equal(new long[] { 2, 3 }, Torch.Arange(2).Unsqueeze(1).Expand(2, 3).Shape);
        var s = Torch.Zeros([2, 3], DType.Int64).Scatter(1, Torch.FromArray(new long[] { 2, 0 }, 2, 1), Torch.FromArray(new long[] { 7, 9 }, 2, 1));
        Assert.Equal(new long[] { 0, 0, 7, 9, 0, 0 }, s.ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3 },
            Torch.Cat([x, x.Narrow(0, 0, 1)]).ToArray<long>());
        Assert.Equal(new long[] { 2, 3, 4 }, Torch.Stack([x, x]).Shape);
        Assert.Equal(new long[] { 4, 4, 4 }, x.Split(1, 0).Select(t => t.NumEl).ToArray());
        Assert.Equal(new long[] { 2, 6, 10, 3, 7, 11 }, x.Chunk(2, 1)[1].T().Contiguous().ToArray<long>());
        Assert.Equal(new long[] { 8, 9, 10, 11 }, x.Index(Torch.FromArray(new[] { false, false, true })).ToArray<long>());
        Assert.Equal(new long[] { 1, 3, 5 }, Torch.Arange(6).MaskedSelect(Torch.Arange(6).Remainder(2).Eq(1)).ToArray<long>());
    }

    [Fact]
    public void Reductions_and_elementwise_math_match_hand_computation()
    {
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new double[,] { { 1, 2, 3 }, { 4, 6, 8 } });
        Assert.Equal(24, x.Sum().Item());
        Assert.Equal(new double[] { 6, 18 }, x.Sum(1).ToArray<double>());
        Assert.Equal(new double[] { 2.5, 4, 5.5 }, x.Mean(0).ToArray<double>());
        Assert.Equal(new double[] { 1, 4 }, x.Var(1).ToArray<double>());
        Assert.Equal(new double[] { 2.0 / 3, 8.0 / 3 }, x.Var(1, unbiased: false).ToArray<double>());
        var max = x.Max(1);
        Assert.Equal(new double[] { 3, 8 }, max.Values.ToArray<double>());
        Assert.Equal(new long[] { 2, 2 }, max.Indices.ToArray<long>());
        Assert.Equal(new long[] { 1, 1, 1 }, x.Argmax(0).ToArray<long>());
        Assert.Equal(Math.Sqrt(1 + 4 + 9 + 16 + 36 + 64), x.Norm().Item(), 12);
        Assert.Equal(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), x.LogSumExp(1).ToArray<double>()[0], 12);
        Assert.Equal(new double[] { 2, 2, 3, 4, 5, 5 }, x.Clamp(2, 5).ToArray<double>());
        Assert.Equal(new double[] { 1, 4, 9, 16, 36, 64 }, x.Pow(2).ToArray<double>());
        Assert.Equal(new double[] { 0, 0, 3, 4, 6, 8 }, Torch.Where(x.Gt(2.5), x, Torch.Zeros([1], DType.Float64)).ToArray<double>());
        Assert.Equal(new double[] { 1, 4, 3, 4, 6, 8 }, x.Maximum(Torch.FromArray(new double[] { 0, 4, 0 })).ToArray<double>());
        var top = x.TopK(2, 1);
        Assert.Equal(new double[] { 3, 2, 8, 6 }, top.Values.ToArray<double>());
        Assert.Equal(new double[] { 1, 3, 6, 4, 10, 18 }, x.CumSum(1).ToArray<double>());
    }

    [Fact]
    public void Integer_tensors_stay_integral_under_whole_number_scalars_and_alpha()
    {
        using var scope = Torch.NewScope();
        var a = Torch.Arange(4);
        var b = Torch.FromArray(new long[] { 10, 20, 30, 40 });
        Assert.Equal(new long[] { 10, 21, 32, 43 }, (a + b).ToArray<long>());
        Assert.Equal(new long[] { -10, -19, -28, -37 }, a.Sub(b).ToArray<long>());
        Assert.Equal(new long[] { 20, 41, 62, 83 }, a.Add(b, alpha: 2).ToArray<long>());
        Assert.Equal(DType.Int64, (a + 1).DType);
        Assert.Equal(new long[] { 0, 3, 6, 9 }, (3 * a).ToArray<long>());
        Assert.Equal(DType.Float32, (a + 0.5).DType);
        Assert.Throws<TorchException>(() => a.Add(b, alpha: 0.5));
        b.Add_(a, 1);
        Assert.Equal(new long[] { 10, 21, 32, 43 }, b.ToArray<long>());
    }

    [Fact]
    public void In_place_updates_change_the_tensor_itself()
    {
        using var scope = Torch.NewScope();
        var p = Torch.FromArray(new double[] { 1, 2 });
        var g = Torch.FromArray(new double[] { 8, 16 });
        p.Add_(g, -0.125);
        Assert.Equal(new double[] { 0, 0 }, p.ToArray<double>());
        p.Fill_(2);
        p.AddCMul_(g, g, 0.5);
        Assert.Equal(new double[] { 34, 130 }, p.ToArray<double>());
        p.AddCDiv_(g, g, 2);
        Assert.Equal(new double[] { 36, 132 }, p.ToArray<double>());
        p.Lerp_(Torch.Zeros([2], DType.Float64), 0.5);
        Assert.Equal(new double[] { 18, 66 }, p.ToArray<double>());
        p.Clamp_(max: 50);
        p.Mul_(2);
        Assert.Equal(new double[] { 36, 100 }, p.ToArray<double>());
        p.Copy_(g);
        Assert.Equal(new double[] { 8, 16 }, p.ToArray<double>());
        p.Zero_();
        Assert.Equal(new double[] { 0, 0 }, p.ToArray<double>());
    }

    [Fact]
    public void No_grad_scope_disables_recording_and_restores_the_previous_mode()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Ones([2], requiresGrad: true);
        Assert.True(Torch.IsGradEnabled);
        using (Torch.NoGrad())
        {
            Assert.False(Torch.IsGradEnabled);
            Assert.False((x * 2).RequiresGrad);
            using (Torch.EnableGrad()) Assert.True((x * 2).RequiresGrad);
            Assert.False(Torch.IsGradEnabled);
        }
        Assert.True(Torch.IsGradEnabled);
        var y = (x * x).Sum();
        y.Backward();
        Assert.Equal(new float[] { 2, 2 }, x.Grad!.ToArray<float>());
        Assert.True(x.IsLeaf);
        Assert.False(y.IsLeaf);
        x.Grad = null;
        Assert.Null(x.Grad);
    }

    [Fact]
    public void ToString_shows_shape_dtype_device_and_a_preview_of_values()
    {
        using var scope = Torch.NewScope();
        Assert.Equal("Tensor[2x3, Float32, cpu] [0, 1, 2, 3, 4, 5]", Torch.Arange(0, 6, 1, DType.Float32).Reshape(2, 3).ToString());
        Assert.Equal("Tensor[20, Int64, cpu] [0, 1, 2, 3, 4, 5, 6, 7, …]", Torch.Arange(20).ToString());
        Assert.Equal("Tensor[scalar, Float64, cpu, requires_grad] [1.5]", Torch.Full([], 1.5, DType.Float64, requiresGrad: true).ToString());
        Assert.Equal("Tensor[2, Bool, cpu] [true, false]", Torch.FromArray(new[] { true, false }).ToString());
    }

    [Fact]
    public void Engine_reports_its_version_and_build_facts()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", Torch.Version);
        Assert.Matches(@"^\d+\.\d+\.\d+", Torch.FrameworkVersion);
        Assert.Contains("PyTorch built with", Torch.BuildConfig);
        Assert.Equal(Torch.CudaIsAvailable, Torch.CudaDeviceCount > 0);
        var threads = Torch.NumThreads;
        Torch.SetNumThreads(1);
        Assert.Equal(1, Torch.NumThreads);
        Torch.NumThreads = threads;
        Assert.Equal(threads, Torch.NumThreads);
        Assert.Equal("cuda:1", Device.Parse("CUDA:1").ToString());
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
    }
}
