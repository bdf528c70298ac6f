using ReLICv2.Experiments;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The breakdown of <c>relic bench step --profile</c>: self times by category, adding up to the wall time.</summary>
public sealed class StepProfileTests
{
    private static ProfiledRange R(string name, double start, double end, long thread = 1) => new(thread, name, start, end);

    /// <summary>One step of 1000 µs, every self time worked out by hand in the comments.</summary>
    private static readonly ProfiledRange[] Step =
    [
        R("relic::views", 0, 100), R("aten::empty", 10, 20),                                        // augmentation 100
        R("relic::forward", 100, 400),                                                              // managed 300 - 200 = 100
        R("aten::conv2d", 110, 210), R("aten::convolution", 115, 205), R("aten::mkldnn_convolution", 120, 200), // convolution 10 + 10 + 80
        R("aten::batch_norm", 220, 260),                                                            // batch norm 40
        R("aten::relu", 270, 280),                                                                  // element-wise 10
        R("aten::addmm", 300, 350),                                                                 // matrix products 50
        R("relic::loss", 400, 500), R("aten::log_softmax", 410, 450),                              // loss 100
        R("relic::backward", 500, 800),                                                             // managed 300 - 190 = 110
        R("autograd::engine::evaluate_function: ConvolutionBackward0", 510, 700),                  // autograd engine 10
        R("ConvolutionBackward0", 515, 695), R("aten::convolution_backward", 520, 690),            // convolution 10 + 170
        R("relic::optimizer", 800, 900), R("aten::add_", 810, 820),                                 // optimiser 100
        R("relic::ema", 900, 950),                                                                  // EMA 50
    ];

    [Fact]
    public void Every_self_time_goes_to_its_phase_or_its_operators_kind_and_the_categories_add_up_to_the_wall_time()
    {
        var (categories, operators) = StepProfile.Aggregate(Step, 1000);
        var expected = new Dictionary<string, double>
        {
            [StepProfile.Augmentation] = 100, [StepProfile.Convolution] = 280, [StepProfile.BatchNorm] = 40, [StepProfile.MatrixProducts] = 50,
            [StepProfile.ElementWise] = 10, [StepProfile.Copies] = 0, [StepProfile.Loss] = 100, [StepProfile.Optimiser] = 100,
            [StepProfile.Ema] = 50, [StepProfile.AutogradEngine] = 10, [StepProfile.Managed] = 210, [StepProfile.Outside] = 50,
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key), categories.OrderBy(kv => kv.Key));
        Assert.Equal(1000, categories.Values.Sum());
        Assert.Equal(170, operators["aten::convolution_backward"]);
        Assert.Equal(80, operators["aten::mkldnn_convolution"]);
        Assert.False(operators.ContainsKey("relic::forward"));
    }

    [Fact]
    public void Order_of_the_records_and_a_second_thread_do_not_change_the_breakdown()
    {
        var shuffled = Step.Reverse().ToArray();
        var other = Step.Select(r => r with { Thread = 2, StartMicroseconds = r.StartMicroseconds + 3, EndMicroseconds = r.EndMicroseconds + 3 }).ToArray();
        var (one, _) = StepProfile.Aggregate(Step, 1000);
        var (again, _) = StepProfile.Aggregate(shuffled, 1000);
        Assert.Equal(one, again);
        var (two, _) = StepProfile.Aggregate([.. Step, .. other], 2000);
        foreach (var c in StepProfile.Categories) Assert.Equal(2 * one[c], two[c], 9);
    }

    [Theory]
    [InlineData("aten::cudnn_convolution", StepProfile.Convolution)]
    [InlineData("aten::native_batch_norm_backward", StepProfile.BatchNorm)]
    [InlineData("NativeBatchNormBackward0", StepProfile.BatchNorm)]
    [InlineData("relic_torch::batch_norm_relu", StepProfile.BatchNorm)]
    [InlineData("relic_torch::batch_norm_relu_backward", StepProfile.BatchNorm)]
    [InlineData("aten::mm", StepProfile.MatrixProducts)]
    [InlineData("AddmmBackward0", StepProfile.MatrixProducts)]
    [InlineData("aten::copy_", StepProfile.Copies)]
    [InlineData("aten::cat", StepProfile.Copies)]
    [InlineData("CloneBackward0", StepProfile.Copies)]
    [InlineData("aten::threshold_backward", StepProfile.ElementWise)]
    [InlineData("aten::mul", StepProfile.ElementWise)]
    [InlineData("autograd::engine::evaluate_function: MulBackward0", StepProfile.AutogradEngine)]
    [InlineData("relic::forward", StepProfile.Managed)]
    public void Operators_are_classed_by_their_names(string name, string category) => Assert.Equal(category, StepProfile.Category(name));
}
