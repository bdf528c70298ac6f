using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Laws of the engine checked on generated shapes and values (FsCheck 3, run from xunit facts).</summary>
public class PropertyTests
{
    private static readonly Config Cfg = Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true);

    /// <summary>A shape of rank 1–3 with sizes 1–5, and a seed for its values.</summary>
    private static Gen<(long[] Shape, int Seed)> ShapeAndSeed() =>
        from rank in Gen.Choose(1, 3)
        from dims in Gen.Choose(1, 5).ArrayOf(rank)
        from seed in Gen.Choose(0, 1_000_000)
        select (dims.Select(d => (long)d).ToArray(), seed);

    private static Tensor Values(long[] shape, int seed, double scale = 1)
    {
        using var g = new Generator((ulong)seed);
        using var t = Torch.Randn(shape, g, DType.Float64);
        return t * scale;
    }

    [Fact]
    public void Broadcasting_a_size_one_dimension_equals_explicit_expansion()
    {
        var gen = from s in ShapeAndSeed() from dim in Gen.Choose(0, s.Shape.Length - 1) select (s.Shape, s.Seed, dim);
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            using var scope = Torch.NewScope();
            var a = Values(c.Shape, c.Seed);
            var reduced = (long[])c.Shape.Clone();
            reduced[c.dim] = 1;
            var b = Values(reduced, c.Seed + 1);
            var expanded = b.Expand(c.Shape).Contiguous();
            Assert.True((a + b).Equal(a + expanded));
            Assert.True((a * b).Equal(a * expanded));
            Assert.True((b - a).Equal(expanded - a));
        }).Check(Cfg);
    }

    [Fact]
    public void Broadcast_addition_is_commutative_and_scalar_operators_agree_with_tensor_ones()
    {
        Prop.ForAll(ShapeAndSeed().ToArbitrary(), Gen.Choose(-50, 50).ToArbitrary(), (s, k) =>
        {
            using var scope = Torch.NewScope();
            var a = Values(s.Shape, s.Seed);
            var row = Values([s.Shape[^1]], s.Seed + 7);
            Assert.True((a + row).Equal(row + a));
            var c = Torch.Scalar(k, DType.Float64);
            Assert.True((a * k).AllClose(a * c, 0, 0));
            Assert.True((k - a).AllClose(c - a, 0, 0));
            if (k != 0) Assert.True((k / a).AllClose(c / a, 1e-15, 0));
        }).Check(Cfg);
    }

    [Fact]
    public void Softmax_rows_are_positive_and_sum_to_one()
    {
        Prop.ForAll(ShapeAndSeed().ToArbitrary(), Gen.Choose(1, 300).ToArbitrary(), (s, scale) =>
        {
            using var scope = Torch.NewScope();
            var p = Values(s.Shape, s.Seed, scale).Softmax(-1);
            var sums = p.Sum(-1).ToArray<double>();
            Assert.All(sums, v => Assert.InRange(v, 1 - 1e-12, 1 + 1e-12));
            Assert.True(p.Ge(0).All().Item() == 1);
        }).Check(Cfg);
    }

    [Fact]
    public void LogSumExp_is_stable_for_large_inputs_and_shift_equivariant()
    {
        Prop.ForAll(ShapeAndSeed().ToArbitrary(), Gen.Choose(-5000, 5000).ToArbitrary(), (s, shiftInt) =>
        {
            using var scope = Torch.NewScope();
            double shift = shiftInt * 1.0;
            var x = Values(s.Shape, s.Seed);
            var big = x + 1e4 + shift;
            var lse = big.LogSumExp(-1);
            Assert.True(lse.IsFinite().All().Item() == 1, "logsumexp overflowed");
            var expected = x.LogSumExp(-1) + (1e4 + shift);
            Assert.True(lse.AllClose(expected, 1e-12, 1e-9));
            var max = big.Max(-1);
            Assert.True(lse.Ge(max.Values).All().Item() == 1);
        }).Check(Cfg);
    }

    [Fact]
    public void Detach_stops_gradients()
    {
        Prop.ForAll(ShapeAndSeed().ToArbitrary(), s =>
        {
            using var scope = Torch.NewScope();
            var x = Values(s.Shape, s.Seed).RequireGrad();
            var y = (x.Detach() * x).Sum();
            var grad = Torch.Grad([y], [x])[0]!;
            Assert.True(grad.Equal(x.Detach()), "d/dx (sg[x]·x) must be sg[x]");
            var z = (x.Detach() * 3).Sum();
            Assert.False(z.RequiresGrad);
            var throughSum = Torch.Grad([x.Sum() + z], [x])[0]!;
            Assert.True(throughSum.Eq(1).All().Item() == 1, "the detached term must add nothing to the gradient");
        }).Check(Cfg);
    }

    [Fact]
    public void Reshape_permute_and_transpose_round_trip()
    {
        Prop.ForAll(ShapeAndSeed().ToArbitrary(), s =>
        {
            using var scope = Torch.NewScope();
            var x = Values(s.Shape, s.Seed);
            Assert.True(x.Reshape(-1).Reshape(s.Shape).Equal(x));
            var order = Enumerable.Range(0, s.Shape.Length).Select(i => (long)i).Reverse().ToArray();
            Assert.True(x.Permute(order).Permute(order).Equal(x));
            Assert.True(x.Flip(0).Flip(0).Equal(x));
            Assert.True(x.Roll(2, 0).Roll(-2, 0).Equal(x));
        }).Check(Cfg);
    }
}
