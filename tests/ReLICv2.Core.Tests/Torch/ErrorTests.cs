using Xunit;

namespace ReLICv2.Tests;

/// <summary>Native failures arrive as managed exceptions with libtorch's message; nothing crashes the process.</summary>
public class ErrorTests
{
    [Fact]
    public void Matmul_shape_mismatch_names_both_shapes()
    {
        using var scope = Torch.NewScope();
        var a = Torch.Zeros(2, 3);
        var b = Torch.Zeros(4, 5);
        var e = Assert.Throws<TorchException>(() => a.Matmul(b));
        Assert.Contains("2x3", e.Message);
        Assert.Contains("4x5", e.Message);
    }

    [Fact]
    public void Broadcast_mismatch_is_reported()
    {
        using var scope = Torch.NewScope();
        var e = Assert.Throws<TorchException>(() => Torch.Zeros(2, 3) + Torch.Zeros(4));
        Assert.Contains("must match", e.Message);
    }

    [Fact]
    public void Wrong_dtype_is_reported()
    {
        using var scope = Torch.NewScope();
        var logits = Torch.Zeros(3, 4);
        var floatTargets = Torch.Zeros(3);
        Assert.Throws<TorchException>(() => Torch.CrossEntropy(logits, floatTargets));
        var ints = Torch.Zeros([3], DType.Int64);
        var e = Assert.Throws<InvalidOperationException>(() => ints.ToArray<float>());
        Assert.Contains("Int64", e.Message);
    }

    [Fact]
    public void Out_of_range_index_is_reported()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Zeros(3, 4);
        var e = Assert.Throws<TorchException>(() => x.Select(0, 7));
        Assert.Contains("out of range", e.Message);
        Assert.Throws<TorchException>(() => x.IndexSelect(1, Torch.FromArray(new long[] { 0, 9 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(5));
    }

    [Fact]
    public void Cuda_on_a_cpu_only_libtorch_is_refused_with_an_explanation()
    {
        if (Torch.CudaIsAvailable)
        {
            // A CUDA libtorch: the device must then work instead.
            using var t = Torch.Zeros([2], device: Device.Cuda(0));
            Assert.Equal(Device.Cuda(0), t.Device);
            return;
        }
        var e = Assert.Throws<TorchException>(() => Torch.Zeros([2], device: Device.Cuda(0)));
        Assert.Contains("cuda:0", e.Message);
        Assert.Contains("no CUDA support", e.Message);
        using var cpu = Torch.Zeros(2);
        Assert.Throws<TorchException>(() => cpu.To(Device.Cuda(1)));
    }

    [Fact]
    public void Use_of_a_disposed_tensor_is_an_object_disposed_error()
    {
        var t = Torch.Ones(3);
        t.Dispose();
        t.Dispose(); // idempotent
        var e = Assert.Throws<ObjectDisposedException>(() => t.Sum());
        Assert.Contains("disposed", e.Message);
        Assert.Equal("Tensor[disposed]", t.ToString());
    }

    [Fact]
    public void A_tensor_disposed_by_its_scope_is_an_object_disposed_error()
    {
        Tensor kept;
        using (Torch.NewScope()) kept = Torch.Ones(3);
        Assert.Throws<ObjectDisposedException>(() => kept.Item());
    }

    [Theory]
    [InlineData(0, "std::runtime_error")]
    [InlineData(1, "c10::Error")]
    [InlineData(2, "unknown C++ exception")]
    public void Every_kind_of_cpp_exception_becomes_a_TorchException(int kind, string expected)
    {
        var e = Assert.Throws<TorchException>(() => TorchException.Check(Native.rs_debug_throw(kind)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Errors_do_not_leak_between_calls()
    {
        using var scope = Torch.NewScope();
        Assert.Throws<TorchException>(() => Torch.Zeros(2, 3).Matmul(Torch.Zeros(2, 3)));
        var ok = Torch.Ones(2, 2).Matmul(Torch.Ones(2, 2));
        Assert.Equal(new float[] { 2, 2, 2, 2 }, ok.ToArray<float>());
    }

    [Fact]
    public void Invalid_arguments_are_rejected_before_reaching_libtorch()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.SetNumThreads(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.Arange(0, 5, 0));
        using var g = new Generator(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.RandInt(5, 5, [2], g));
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
        Assert.Throws<FormatException>(() => Device.Parse("gpu"));
        using var x = Torch.Zeros(1, 1, 4, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.Interpolate(x, 0, 3));
        Assert.Throws<ArgumentException>(() => Torch.Conv2d(x, x, null, [1], [0, 0], [1, 1]));
    }
}
