using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The C ABI boundary of the shim: every export reports failures as a status (never a C++ exception through
/// <c>extern "C"</c>, which would end the process), refuses codes libtorch does not check itself, and leaves nothing
/// behind when it fails late.
/// </summary>
public class ShimBoundaryTests
{
    [Fact]
    public void An_invalid_thread_count_reaching_the_shim_is_a_failed_status_with_the_value()
    {
        var threads = Torch.NumThreads;
        // libtorch's at::set_num_threads throws on 0; through a void export that ended the process.
        var e = Assert.Throws<TorchException>(() => TorchException.Check(Native.rs_set_num_threads(0)));
        Assert.Contains("threads must be >= 1, got 0", e.Message);
        e = Assert.Throws<TorchException>(() => TorchException.Check(Native.rs_set_thread_num_threads(-3, out _)));
        Assert.Contains("threads must be >= 1, got -3", e.Message);
        Assert.Equal(threads, Torch.NumThreads);
        // The managed API refuses the value before the shim, naming it.
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Torch.SetNumThreads(0));
        Assert.Equal(0, range.ActualValue);
    }

    [Fact]
    public void A_failing_call_costs_no_cpp_backtrace()
    {
        // libtorch builds and symbolises a backtrace for every c10::Error (about 7 ms here), which the shim then drops:
        // code that probes with failing calls, and the engine fuzzer, paid that on every failure.
        using var scope = Torch.NewScope();
        var a = Torch.Zeros(2, 3);
        var b = Torch.Zeros(4, 5);
        Assert.Throws<TorchException>(() => a.Matmul(b)); // first use
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 500; i++) Assert.Throws<TorchException>(() => a.Matmul(b));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"500 failing calls took {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Grad_mode_round_trips_through_status_returning_exports()
    {
        Assert.True(Torch.IsGradEnabled);
        using (Torch.NoGrad())
        {
            Assert.False(Torch.IsGradEnabled);
            using (Torch.EnableGrad()) Assert.True(Torch.IsGradEnabled);
            Assert.False(Torch.IsGradEnabled);
        }
        Assert.True(Torch.IsGradEnabled);
        _ = Torch.MkldnnIsAvailable; // a status-returning query; either answer is fine
    }

    [Fact]
    public void A_dtype_code_outside_the_managed_set_is_refused_before_libtorch_sees_it()
    {
        using var scope = Torch.NewScope();
        // 9 is complex float, 12 a quantised type, 99 no type at all (an index past libtorch's type table).
        foreach (var code in new[] { 9, 12, 18, 99, -1 })
        {
            var e = Assert.Throws<TorchException>(() => Torch.Zeros([2], (DType)code));
            Assert.Contains($"dtype code {code} is not supported", e.Message);
            Assert.Contains("allowed: 0 UInt8", e.Message);
            Assert.Throws<TorchException>(() => Torch.Ones(2).To((DType)code));
        }
    }

    [Fact]
    public void Enum_codes_that_libtorch_does_not_check_are_refused_naming_the_code()
    {
        using var scope = Torch.NewScope();
        using var g = new Generator(1);
        var image = Torch.Rand([1, 1, 4, 4], g);
        var grid = Torch.Rand([1, 2, 2, 2], g);
        // libtorch 1.13 reads uninitialised memory for unknown grid_sampler codes instead of failing.
        var e = Assert.Throws<TorchException>(() => Torch.GridSample(image, grid, (GridSampleMode)7));
        Assert.Contains("interpolation code 7", e.Message);
        e = Assert.Throws<TorchException>(() => Torch.GridSample(image, grid, padding: (GridPadding)9));
        Assert.Contains("padding code 9", e.Message);
        // and treats an unknown reduction as some other reduction.
        var logits = Torch.Rand([3, 4], g);
        var labels = Torch.FromArray(new long[] { 0, 1, 2 });
        e = Assert.Throws<TorchException>(() => Torch.CrossEntropy(logits, labels, reduction: (Reduction)9));
        Assert.Contains("reduction code 9", e.Message);
        Assert.Throws<TorchException>(() => Torch.NllLoss(logits, labels, reduction: (Reduction)9));
        Assert.Throws<TorchException>(() => Torch.KlDiv(logits, logits, (Reduction)9));
        Assert.Throws<TorchException>(() => Torch.MseLoss(logits, logits, (Reduction)9));
    }

    [Fact]
    public void An_index_select_into_a_0_dim_tensor_takes_exactly_one_index()
    {
        // Found by the engine fuzzer: libtorch 1.13 copies every index's value into the one-element result of a 0-dim
        // tensor, overrunning the heap (glibc then aborts the process at a later free).
        using var scope = Torch.NewScope();
        var x = Torch.Scalar(1.5);
        for (var i = 0; i < 20; i++)
        {
            var e = Assert.Throws<TorchException>(() => x.IndexSelect(0, Torch.Zeros([100_000], DType.Int64)));
            Assert.Contains("must hold exactly one value, got 100000", e.Message);
        }
        var one = x.IndexSelect(0, Torch.Zeros([1], DType.Int64));
        Assert.Equal(1.5, one.Item());
        Assert.Throws<TorchException>(() => x.IndexSelect(0, Torch.Full([1], 3, DType.Int64)));
    }

    [Fact]
    public void The_integral_remainder_of_the_smallest_value_by_minus_one_is_zero_not_a_hardware_trap()
    {
        // Found by the engine fuzzer: libtorch 1.13 divides with the CPU's instruction, and Int64.MinValue / -1 overflows,
        // which raises SIGFPE and ends the process (in Python's torch 1.13 too).
        using var scope = Torch.NewScope();
        var longs = Torch.FromArray(new[] { long.MinValue, 5, -7 });
        Assert.Equal(new long[] { 0, 0, 0 }, longs.Remainder(Torch.Scalar(-1, DType.Int64)).ToArray<long>());
        Assert.Equal(new long[] { 0, 0, 0 }, longs.Remainder(Torch.FromArray(new long[] { -1, -1, -1 })).ToArray<long>());
        Assert.Equal(new long[] { 0, 2, -1 }, longs.Remainder(Torch.FromArray(new long[] { -1, 3, -3 })).ToArray<long>()); // Python: 5 % 3, -7 % -3
        var ints = Torch.FromArray(new[] { int.MinValue, 4 });
        Assert.Equal(new[] { 0, 0 }, ints.Remainder(Torch.FromArray(new[] { -1, -1 })).ToArray<int>());
        // Floating remainders keep the divisor's sign: 2.5 % -1 = -0.5, also with an integral scalar.
        var floats = Torch.FromArray(new[] { 2.5f });
        Assert.Equal(new[] { -0.5f }, floats.Remainder(-1.0).ToArray<float>());
        Assert.Equal(new[] { -0.5f }, floats.Remainder(Torch.FromArray(new long[] { -1 })).ToArray<float>());
    }

    [Fact]
    public void A_convolution_with_more_groups_than_out_channels_is_refused_not_a_division_by_zero()
    {
        // Found by the engine fuzzer: libtorch 1.13 divides by a narrowed copy of groups, so 2^50 groups was a division by
        // zero (SIGFPE). Valid counts are 1 to the weight's out channels.
        using var scope = Torch.NewScope();
        var x = Torch.Zeros(1, 4, 5, 5);
        var w = Torch.Zeros(2, 2, 3, 3);
        foreach (var groups in new[] { 1L << 50, 1L << 32, 3, 0, -1 })
        {
            var e = Assert.Throws<TorchException>(() => Torch.Conv2d(x, w, null, groups: groups));
            Assert.Contains($"groups must be in [1, 2] (the weight's out channels), got {groups}", e.Message);
        }
        Assert.Equal([1L, 2, 3, 3], Torch.Conv2d(x, w, null, groups: 2).Shape);
        Assert.Contains("must be 4-D", Assert.Throws<TorchException>(() => Torch.Conv2d(x, Torch.Zeros(2, 2), null)).Message);
    }

    [Fact]
    public void Grad_refuses_a_gradient_output_list_of_another_length_instead_of_reading_past_it()
    {
        using var scope = Torch.NewScope();
        var w = Torch.Ones([2], requiresGrad: true);
        var y1 = w * 2.0;
        var y2 = w * 3.0;
        var e = Assert.Throws<ArgumentException>(() => Torch.Grad([y1, y2], [w], [Torch.Ones(2)]));
        Assert.Equal("gradOutputs", e.ParamName);
        Assert.Contains("1 tensors but there are 2 outputs", e.Message);
        var g = Torch.Grad([y1, y2], [w], [Torch.Ones(2), Torch.Ones(2)]);
        Assert.Equal(new float[] { 5, 5 }, g[0]!.ToArray<float>());
    }
}
