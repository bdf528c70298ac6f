using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Tensor–scalar arithmetic follows PyTorch's type promotion with a C# double as Python's float and the int or long
/// operand of an operator as Python's int. The expected dtypes and values are PyTorch 1.13's (torch.tensor([1, 2, 3])
/// * 2.0 and so on).
/// </summary>
public class ScalarPromotionTests
{
    private static Tensor Longs(params long[] values) => Torch.FromArray(values);

    private static void AssertFloats(Tensor t, params float[] expected)
    {
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(expected, t.ToArray<float>());
    }

    private static void AssertLongs(Tensor t, params long[] expected)
    {
        Assert.Equal(DType.Int64, t.DType);
        Assert.Equal(expected, t.ToArray<long>());
    }

    [Fact]
    public void A_double_scalar_makes_an_integral_tensor_floating_and_an_int_operand_keeps_it_integral()
    {
        using var scope = Torch.NewScope();
        var x = Longs(1, 2, 3);
        AssertFloats(x * 2.0, 2, 4, 6);        // torch.float32 [2.0, 4.0, 6.0]
        AssertFloats(x.Mul(2.0), 2, 4, 6);
        AssertFloats(x.Mul(2), 2, 4, 6);       // the methods take doubles: 2 is 2.0
        AssertLongs(x * 2, 2, 4, 6);           // torch.int64 [2, 4, 6]
        AssertLongs(2L * x, 2, 4, 6);
        AssertFloats(x + 1.0, 2, 3, 4);
        AssertLongs(x + 1, 2, 3, 4);
        AssertFloats(x - 1.0, 0, 1, 2);
        AssertLongs(x - 1, 0, 1, 2);
        AssertFloats(1.0 - x, 0, -1, -2);
        AssertLongs(1 - x, 0, -1, -2);
        AssertFloats(x.Pow(2.0), 1, 4, 9);     // torch.tensor([1, 2, 3]) ** 2.0
        AssertLongs(x.Pow(Torch.Scalar(2, DType.Int64)), 1, 4, 9); // ** 2: an integral exponent keeps it integral
        AssertFloats(x.Pow(-1.0), 1, 0.5f, 0.3333333432674408f);
        AssertLongs(x.Pow(Torch.Scalar(-1, DType.Int64)), 1, 0, 0); // ** torch.tensor(-1): integral, truncated
        AssertFloats(x.Pow(0.5), 1, 1.4142135381698608f, 1.7320507764816284f);
        var r = Longs(5, -7);
        AssertFloats(r.Remainder(3.0), 2, 2);
        AssertLongs(r.Remainder(Torch.Scalar(3, DType.Int64)), 2, 2);
    }

    [Fact]
    public void Division_is_true_division_for_every_scalar()
    {
        using var scope = Torch.NewScope();
        var x = Longs(1, 2, 3);
        AssertFloats(x / 2, 0.5f, 1, 1.5f);
        AssertFloats(x / 2.0, 0.5f, 1, 1.5f);
        var d = Longs(1, 2, 4);
        AssertFloats(2.0 / d, 2, 1, 0.5f);
        AssertFloats(2 / d, 2, 1, 0.5f);
    }

    [Fact]
    public void Negative_zero_keeps_its_sign()
    {
        using var scope = Torch.NewScope();
        var f = Torch.FromArray(new float[] { 1, -2, 0 });
        // torch.tensor([1., -2., 0.]) / -0.0 = [-inf, inf, nan]; / 0.0 = [inf, -inf, nan]
        Assert.Equal(new[] { float.NegativeInfinity, float.PositiveInfinity, float.NaN }, (f / -0.0).ToArray<float>());
        Assert.Equal(new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN }, (f / 0.0).ToArray<float>());
        Assert.Equal(new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN }, (f / 0).ToArray<float>());
        var product = (Torch.FromArray(new float[] { 1 }) * -0.0).ToArray<float>()[0];
        Assert.True(float.IsNegative(product) && product == 0, $"1 * -0.0 = {product}, PyTorch gives -0.0");
        // torch.add(tensor([-0.]), tensor([1.]), alpha=-0.0) = [-0.0] (an integral alpha 0 would give +0.0)
        var sum = Torch.FromArray(new float[] { -0.0f }).Add(Torch.FromArray(new float[] { 1 }), alpha: -0.0).ToArray<float>()[0];
        Assert.True(float.IsNegative(sum) && sum == 0, $"-0 + 1·(-0) = {sum}, PyTorch gives -0.0");
    }

    [Fact]
    public void Other_dtypes_promote_as_in_pytorch()
    {
        using var scope = Torch.NewScope();
        var u = Torch.FromArray(new byte[] { 1, 2 });
        AssertFloats(u * 2.5, 2.5f, 5);
        var wrapped = Torch.FromArray(new byte[] { 200 }) * 2;   // uint8 arithmetic wraps: [144]
        Assert.Equal(DType.UInt8, wrapped.DType);
        Assert.Equal(new byte[] { 144 }, wrapped.ToArray<byte>());
        var b = Torch.FromArray(new[] { true, false });
        AssertLongs(b + 1, 2, 1);
        AssertFloats(b * 2.0, 2, 0);
        var i = Torch.FromArray(new[] { 7 });
        Assert.Equal(DType.Int32, (i * 2).DType);
        Assert.Equal(DType.Float32, (i * 2.0).DType);
        var h = Torch.FromArray(new[] { (Half)1.5, (Half)2.5 });
        var h3 = h * 3.0;                                          // a floating tensor keeps its dtype
        Assert.Equal(DType.Float16, h3.DType);
        Assert.Equal(new[] { (Half)4.5, (Half)7.5 }, h3.ToArray<Half>());
    }

    [Fact]
    public void In_place_updates_keep_the_dtype_and_refuse_a_floating_scalar_on_an_integral_tensor()
    {
        using var scope = Torch.NewScope();
        var z = Torch.Zeros([2], DType.Int64);
        var e = Assert.Throws<TorchException>(() => z.Add_(1.0));
        Assert.Contains("result type Float can't be cast to the desired output type Long", e.Message);
        Assert.Throws<TorchException>(() => z.Mul_(1.5));
        z.Copy_(z + 1);
        z.Copy_(z * 3);
        AssertLongs(z, 3, 3);
        z.Fill_(2.7);                                               // fill_ converts: [2, 2]
        AssertLongs(z, 2, 2);
    }

    [Fact]
    public void Integral_operands_and_alpha_stay_exact_beyond_double_precision()
    {
        using var scope = Torch.NewScope();
        var big = Longs((1L << 53) + 1);
        // big == float(2**53) is [True]: compared in float32
        Assert.True(big.Eq((double)(1L << 53)).Item() != 0);
        AssertLongs(big + 1, (1L << 53) + 2);                       // 9007199254740994
        AssertLongs(big * 2, (1L << 54) + 2);
        var x = Longs(1, 2);
        AssertLongs(x.Add(x, alpha: 2), 3, 6);
        var e = Assert.Throws<TorchException>(() => x.Add(x, alpha: 2.5));
        Assert.Contains("alpha must be a whole number", e.Message);
        Assert.Contains("got 2.5", e.Message);
    }
}
