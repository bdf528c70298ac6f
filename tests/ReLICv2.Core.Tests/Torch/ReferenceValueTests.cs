using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Engine operations against PyTorch 1.13 on the same closed-form float64 inputs
/// (fixture: Fixtures/engine/ops.json from tests/fixtures-src/engine/make_engine_fixtures.py).
/// Tolerance: 1e-9 absolute + 1e-9 relative; both sides compute in float64, so differences are rounding only.
/// </summary>
public class ReferenceValueTests
{
    private static Tensor D(long[] shape, double scale = 1, double offset = 0) => Det.Make(shape, scale, offset);

    private static Tensor X4() => D([2, 3, 5, 6]);
    private static Tensor Img() => D([2, 3, 8, 10], 0.5, 0.5);
    private static Tensor Logits() => D([5, 7], 3.0);
    private static Tensor Target() => Torch.FromArray(new long[] { 0, 3, 6, 2, 3 });
    private static Tensor Soft() => D([5, 7], 2.0, 0.1).Softmax(1);

    private static Tensor Grid()
    {
        var theta = Torch.FromArray(new double[] { 0.9, 0.1, 0.05, -0.2, 1.1, -0.1, 0.5, 0.0, 0.3, 0.0, 0.5, -0.3 }, 2, 2, 3);
        return Torch.AffineGrid(theta, [2, 3, 6, 7]);
    }

    private static Tensor BatchNormTrain(int output)
    {
        var rm = D([3], 0.1);
        var rv = D([3], 0.2, 1.0);
        var y = Torch.BatchNorm(X4(), rm, rv, D([3], 0.3, 1.0), D([3], 0.1), training: true, momentum: 0.1, eps: 1e-5);
        return output switch { 0 => y, 1 => rm, _ => rv };
    }

    private static readonly Dictionary<string, Func<Tensor>> Ops = new()
    {
        ["conv2d"] = () => Torch.Conv2d(X4(), D([4, 3, 3, 3], 0.5), D([4], 0.1), stride: 1, padding: 1),
        ["conv2d_stride2_pad0"] = () => Torch.Conv2d(X4(), D([4, 3, 3, 3], 0.5), null, stride: 2, padding: 0),
        ["conv2d_groups3"] = () => Torch.Conv2d(X4(), D([6, 1, 3, 3], 0.5), null, stride: 1, padding: 1, groups: 3),
        ["batch_norm_train"] = () => BatchNormTrain(0),
        ["batch_norm_train_running_mean"] = () => BatchNormTrain(1),
        ["batch_norm_train_running_var"] = () => BatchNormTrain(2),
        ["batch_norm_eval"] = () => Torch.BatchNorm(X4(), D([3], 0.1), D([3], 0.2, 1.0), D([3], 0.3, 1.0), D([3], 0.1), training: false),
        ["max_pool2d_k2"] = () => Torch.MaxPool2d(X4(), 2),
        ["max_pool2d_k3_s2_p1"] = () => Torch.MaxPool2d(X4(), 3, stride: 2, padding: 1),
        ["avg_pool2d_k2"] = () => Torch.AvgPool2d(X4(), 2),
        ["adaptive_avg_pool2d_2x3"] = () => Torch.AdaptiveAvgPool2d(X4(), 2, 3),
        ["interpolate_bilinear_up"] = () => Torch.Interpolate(Img(), 11, 13, InterpolationMode.Bilinear),
        ["interpolate_bilinear_down"] = () => Torch.Interpolate(Img(), 5, 4, InterpolationMode.Bilinear),
        ["interpolate_bilinear_down_aa"] = () => Torch.Interpolate(Img(), 5, 4, InterpolationMode.Bilinear, antialias: true),
        ["interpolate_bicubic_up"] = () => Torch.Interpolate(Img(), 11, 13, InterpolationMode.Bicubic),
        ["interpolate_bicubic_down_aa"] = () => Torch.Interpolate(Img(), 5, 4, InterpolationMode.Bicubic, antialias: true),
        ["interpolate_nearest"] = () => Torch.Interpolate(Img(), 5, 4, InterpolationMode.Nearest),
        ["affine_grid"] = Grid,
        ["grid_sample_bilinear_zeros"] = () => Torch.GridSample(Img(), Grid(), GridSampleMode.Bilinear, GridPadding.Zeros),
        ["grid_sample_bicubic_border"] = () => Torch.GridSample(Img(), Grid(), GridSampleMode.Bicubic, GridPadding.Border),
        ["grid_sample_nearest_reflection"] = () => Torch.GridSample(Img(), Grid(), GridSampleMode.Nearest, GridPadding.Reflection),
        ["softmax_dim1"] = () => Logits().Softmax(1),
        ["log_softmax_dim0"] = () => Logits().LogSoftmax(0),
        ["cross_entropy_mean"] = () => Torch.CrossEntropy(Logits(), Target()),
        ["cross_entropy_sum_smoothing"] = () => Torch.CrossEntropy(Logits(), Target(), reduction: Reduction.Sum, labelSmoothing: 0.1),
        ["cross_entropy_soft_targets"] = () => Torch.CrossEntropy(Logits(), Soft()),
        ["nll_mean"] = () => Torch.NllLoss(Logits().LogSoftmax(1), Target()),
        ["kl_div_batchmean"] = () => Torch.KlDiv(Logits().LogSoftmax(1), Soft(), Reduction.BatchMean),
        ["kl_div_none_logtarget"] = () => Torch.KlDiv(Logits().LogSoftmax(1), Soft().Log(), Reduction.None, logTarget: true),
        ["mse_mean"] = () => Torch.MseLoss(Logits(), D([5, 7], 2.5, 0.2)),
        ["normalize_dim1"] = () => Torch.Normalize(Logits(), dim: 1),
        ["logsumexp_dim1"] = () => Logits().LogSumExp(1),
        ["var_dim0_unbiased"] = () => Logits().Var(0),
        ["std_dim1_biased"] = () => Logits().Std(1, unbiased: false),
        ["norm_p1_dim1"] = () => Logits().Norm(1, 1),
        ["matmul_broadcast"] = () => D([2, 1, 3, 4]).Matmul(D([3, 4, 2], 0.5)),
        ["gather_dim1"] = () => Logits().Gather(1, Torch.FromArray(new long[] { 0, 1, 2, 3, 4, 5, 6, 0, 1, 2 }, 5, 2)),
        ["roll_flip"] = () => Logits().Roll(2, 1).Flip(0),
        ["sigmoid_tanh"] = () => Logits().Sigmoid() * Logits().Tanh(),
    };

    public static TheoryData<string> Names() => new(Ops.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Operation_matches_pytorch_reference(string name)
    {
        using var scope = Torch.NewScope();
        var (shape, expected) = EngineFixtures.Get(name);
        var actual = Ops[name]();
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(DType.Float64, actual.DType);
        var values = actual.ToArray<double>();
        for (var i = 0; i < values.Length; i++)
        {
            var tolerance = 1e-9 + 1e-9 * Math.Abs(expected[i]);
            Assert.True(Math.Abs(values[i] - expected[i]) <= tolerance,
                $"{name}[{i}]: expected {expected[i]:R}, got {values[i]:R} (|diff| {Math.Abs(values[i] - expected[i]):E2} > {tolerance:E2})");
        }
    }

    [Fact]
    public void Every_fixture_case_has_a_test()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "engine", "ops.json");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var names = doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToHashSet();
        Assert.Equal(names.OrderBy(n => n), Ops.Keys.OrderBy(n => n));
    }
}
