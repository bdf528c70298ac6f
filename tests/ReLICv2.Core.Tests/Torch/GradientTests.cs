using Xunit;

namespace ReLICv2.Tests;

/// <summary>Autograd against central finite differences (float64, ε = 1e-6, tolerance 1e-6·(1 + |numeric|)).</summary>
public class GradientTests
{
    private static Tensor D(long[] shape, double scale = 1, double offset = 0) => Det.Make(shape, scale, offset);

    [Fact]
    public void Linear_gradients_match_finite_differences() =>
        GradCheck.Check(x => Torch.Linear(x[0], x[1], x[2]), [D([4, 3]), D([5, 3], 0.5), D([5], 0.1)]);

    [Fact]
    public void Conv2d_gradients_match_finite_differences() =>
        GradCheck.Check(x => Torch.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1), [D([2, 2, 5, 5]), D([3, 2, 3, 3], 0.5), D([3], 0.1)]);

    [Fact]
    public void Grouped_conv2d_gradients_match_finite_differences() =>
        GradCheck.Check(x => Torch.Conv2d(x[0], x[1], null, stride: 1, padding: 1, groups: 2), [D([1, 4, 4, 4]), D([4, 2, 3, 3], 0.5)]);

    [Fact]
    public void Batch_norm_training_gradients_match_finite_differences() =>
        GradCheck.Check(x => Torch.BatchNorm(x[0], null, null, x[1], x[2], training: true), [D([4, 3, 2, 2]), D([3], 0.3, 1), D([3], 0.1)]);

    [Fact]
    public void Batch_norm_eval_gradients_match_finite_differences()
    {
        using var scope = Torch.NewScope();
        var rm = D([3], 0.1);
        var rv = D([3], 0.2, 1);
        GradCheck.Check(x => Torch.BatchNorm(x[0], rm, rv, x[1], x[2], training: false), [D([4, 3, 2, 2]), D([3], 0.3, 1), D([3], 0.1)]);
    }

    [Fact]
    public void Log_softmax_gradients_match_finite_differences() =>
        GradCheck.Check(x => x[0].LogSoftmax(1), [D([4, 6], 2)]);

    [Fact]
    public void Kl_div_gradients_match_finite_differences_in_both_arguments() =>
        GradCheck.Check(x => Torch.KlDiv(x[0].LogSoftmax(1), x[1].Softmax(1), Reduction.BatchMean), [D([4, 5], 2), D([4, 5], 1.5, 0.2)]);

    [Fact]
    public void Normalize_gradients_match_finite_differences() =>
        GradCheck.Check(x => Torch.Normalize(x[0], dim: 1), [D([4, 5], 2, 0.3)]);

    [Theory]
    [InlineData(InterpolationMode.Bilinear, false, 7L, 9L)]
    [InlineData(InterpolationMode.Bilinear, true, 3L, 4L)]
    [InlineData(InterpolationMode.Bicubic, false, 7L, 9L)]
    [InlineData(InterpolationMode.Bicubic, true, 3L, 4L)]
    public void Interpolate_gradients_match_finite_differences(InterpolationMode mode, bool antialias, long height, long width) =>
        GradCheck.Check(x => Torch.Interpolate(x[0], height, width, mode, antialias: antialias), [D([1, 2, 5, 6], 0.5, 0.5)]);

    [Fact]
    public void Grid_sample_gradients_match_finite_differences_in_input_and_grid()
    {
        // Keep grid points away from pixel boundaries, where bilinear sampling has kinks.
        GradCheck.Check(x => Torch.GridSample(x[0], x[1], GridSampleMode.Bilinear, GridPadding.Zeros),
            [D([1, 2, 4, 5], 0.5, 0.5), D([1, 3, 3, 2], 0.6, 0.013)]);
    }

    [Fact]
    public void Cross_entropy_gradients_match_finite_differences_with_hard_and_soft_targets()
    {
        using var scope = Torch.NewScope();
        var hard = Torch.FromArray(new long[] { 0, 4, 2, 1 });
        GradCheck.Check(x => Torch.CrossEntropy(x[0], hard, labelSmoothing: 0.1), [D([4, 5], 2)]);
        GradCheck.Check(x => Torch.CrossEntropy(x[0], x[1].Softmax(1)), [D([4, 5], 2), D([4, 5], 1, 0.4)]);
    }

    [Fact]
    public void Composite_expression_gradients_match_finite_differences() =>
        GradCheck.Check(x => (x[0].Matmul(x[1]).LogSumExp(1) * x[0].Pow(2).Mean(1)).Sqrt(),
            [D([3, 4], 1, 2), D([4, 5], 0.5)]);
}
