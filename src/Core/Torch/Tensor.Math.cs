namespace ReLICv2;

// Arithmetic (broadcasting as PyTorch), comparisons, elementwise math, reductions, in-place updates.
//
// Scalars follow PyTorch's type promotion with a C# double as Python's float: the scalar methods take doubles, so an
// integral tensor with a scalar is floating (Int64.Mul(2.0) is Float32, the default floating type) while a floating
// tensor keeps its dtype (Float16.Mul(2.0) is Float16). The int and long operators are Python's int and keep an
// integral tensor integral (Int64 * 2 is Int64, see Tensor.Operators.cs). Division is true division either way
// (Int64 / 2 is Float32), as torch.div. In place the dtype is kept, so a scalar on an integral tensor is refused
// (as int64_tensor.add_(1.0) is in PyTorch); write t.Copy_(t + 1) for an integral update.
public sealed partial class Tensor
{
    // ---- arithmetic ------------------------------------------------------------------------------

    /// <summary><c>this + alpha·other</c>; for integral operands alpha must be a whole number.</summary>
    public Tensor Add(Tensor other, double alpha = 1) => Wrap(Native.rs_add(H, other.H, alpha, out var r), r);
    /// <summary>Adds a floating scalar (an integral tensor gives a floating result; <c>t + 1</c> stays integral).</summary>
    public Tensor Add(double value) => Wrap(Native.rs_add_scalar(H, value, out var r), r);
    /// <summary><c>this − alpha·other</c>; for integral operands alpha must be a whole number.</summary>
    public Tensor Sub(Tensor other, double alpha = 1) => Wrap(Native.rs_sub(H, other.H, alpha, out var r), r);
    public Tensor Sub(double value) => Wrap(Native.rs_sub_scalar(H, value, out var r), r);
    public Tensor Mul(Tensor other) => Wrap(Native.rs_mul(H, other.H, out var r), r);
    /// <summary>Multiplies by a floating scalar (an integral tensor gives a floating result; <c>t * 2</c> stays integral).</summary>
    public Tensor Mul(double value) => Wrap(Native.rs_mul_scalar(H, value, out var r), r);
    /// <summary>True division (an integral tensor gives a floating result).</summary>
    public Tensor Div(Tensor other) => Wrap(Native.rs_div(H, other.H, out var r), r);
    public Tensor Div(double value) => Wrap(Native.rs_div_scalar(H, value, out var r), r);
    /// <summary>Raises to a floating power; for an integral power of an integral tensor give a 0-dim integral exponent.</summary>
    public Tensor Pow(double exponent) => Wrap(Native.rs_pow_scalar(H, exponent, out var r), r);
    public Tensor Pow(Tensor exponent) => Wrap(Native.rs_pow(H, exponent.H, out var r), r);
    /// <summary>Python's %: the result takes the divisor's sign; a floating divisor gives a floating result.</summary>
    public Tensor Remainder(double divisor) => Wrap(Native.rs_remainder_scalar(H, divisor, out var r), r);
    public Tensor Remainder(Tensor divisor) => Wrap(Native.rs_remainder(H, divisor.H, out var r), r);
    public Tensor Neg() => Wrap(Native.rs_neg(H, out var r), r);

    /// <summary>Matrix product with PyTorch's matmul broadcasting rules.</summary>
    public Tensor Matmul(Tensor other) => Wrap(Native.rs_matmul(H, other.H, out var r), r);
    public Tensor Mm(Tensor other) => Wrap(Native.rs_mm(H, other.H, out var r), r);
    public Tensor Bmm(Tensor other) => Wrap(Native.rs_bmm(H, other.H, out var r), r);
    public Tensor Maximum(Tensor other) => Wrap(Native.rs_maximum(H, other.H, out var r), r);
    public Tensor Minimum(Tensor other) => Wrap(Native.rs_minimum(H, other.H, out var r), r);
    public Tensor Atan2(Tensor other) => Wrap(Native.rs_atan2(H, other.H, out var r), r);

    /// <summary><c>this + weight·(end − this)</c>.</summary>
    public Tensor Lerp(Tensor end, double weight) => Wrap(Native.rs_lerp(H, end.H, weight, out var r), r);

    // ---- comparisons and logic (results are Bool tensors) ----------------------------------------

    public Tensor Eq(Tensor other) => Wrap(Native.rs_eq(H, other.H, out var r), r);
    public Tensor Ne(Tensor other) => Wrap(Native.rs_ne(H, other.H, out var r), r);
    public Tensor Lt(Tensor other) => Wrap(Native.rs_lt(H, other.H, out var r), r);
    public Tensor Le(Tensor other) => Wrap(Native.rs_le(H, other.H, out var r), r);
    public Tensor Gt(Tensor other) => Wrap(Native.rs_gt(H, other.H, out var r), r);
    public Tensor Ge(Tensor other) => Wrap(Native.rs_ge(H, other.H, out var r), r);
    public Tensor Eq(double value) => Wrap(Native.rs_eq_scalar(H, value, out var r), r);
    public Tensor Ne(double value) => Wrap(Native.rs_ne_scalar(H, value, out var r), r);
    public Tensor Lt(double value) => Wrap(Native.rs_lt_scalar(H, value, out var r), r);
    public Tensor Le(double value) => Wrap(Native.rs_le_scalar(H, value, out var r), r);
    public Tensor Gt(double value) => Wrap(Native.rs_gt_scalar(H, value, out var r), r);
    public Tensor Ge(double value) => Wrap(Native.rs_ge_scalar(H, value, out var r), r);
    public Tensor LogicalAnd(Tensor other) => Wrap(Native.rs_logical_and(H, other.H, out var r), r);
    public Tensor LogicalOr(Tensor other) => Wrap(Native.rs_logical_or(H, other.H, out var r), r);
    public Tensor LogicalNot() => Wrap(Native.rs_logical_not(H, out var r), r);
    public Tensor IsFinite() => Wrap(Native.rs_isfinite(H, out var r), r);
    public Tensor IsNan() => Wrap(Native.rs_isnan(H, out var r), r);

    /// <summary>True when both have the same shape and |a − b| ≤ atol + rtol·|b| everywhere.</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        TorchException.Check(Native.rs_allclose(H, other.H, rtol, atol, out var r));
        return r != 0;
    }

    /// <summary>True when both have the same shape and exactly the same values.</summary>
    public bool Equal(Tensor other)
    {
        TorchException.Check(Native.rs_equal(H, other.H, out var r));
        return r != 0;
    }

    // ---- elementwise -----------------------------------------------------------------------------

    public Tensor Exp() => Wrap(Native.rs_exp(H, out var r), r);
    public Tensor Log() => Wrap(Native.rs_log(H, out var r), r);
    public Tensor Log1p() => Wrap(Native.rs_log1p(H, out var r), r);
    public Tensor Sqrt() => Wrap(Native.rs_sqrt(H, out var r), r);
    public Tensor Rsqrt() => Wrap(Native.rs_rsqrt(H, out var r), r);
    public Tensor Abs() => Wrap(Native.rs_abs(H, out var r), r);
    public Tensor Sign() => Wrap(Native.rs_sign(H, out var r), r);
    public Tensor Square() => Wrap(Native.rs_square(H, out var r), r);
    public Tensor Reciprocal() => Wrap(Native.rs_reciprocal(H, out var r), r);
    public Tensor Sigmoid() => Wrap(Native.rs_sigmoid(H, out var r), r);
    public Tensor Relu() => Wrap(Native.rs_relu(H, out var r), r);
    public Tensor Tanh() => Wrap(Native.rs_tanh(H, out var r), r);
    public Tensor Sin() => Wrap(Native.rs_sin(H, out var r), r);
    public Tensor Cos() => Wrap(Native.rs_cos(H, out var r), r);
    public Tensor Floor() => Wrap(Native.rs_floor(H, out var r), r);
    public Tensor Ceil() => Wrap(Native.rs_ceil(H, out var r), r);
    public Tensor Round() => Wrap(Native.rs_round(H, out var r), r);
    public Tensor Trunc() => Wrap(Native.rs_trunc(H, out var r), r);

    /// <summary>Values limited to [min, max]; either bound may be omitted.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(Native.rs_clamp(H, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0, out var r), r);
    public Tensor ClampMin(double min) => Clamp(min: min);
    public Tensor ClampMax(double max) => Clamp(max: max);

    public Tensor Softmax(long dim) => Wrap(Native.rs_softmax(H, dim, out var r), r);
    public Tensor LogSoftmax(long dim) => Wrap(Native.rs_log_softmax(H, dim, out var r), r);

    // ---- reductions ------------------------------------------------------------------------------

    public Tensor Sum() => Wrap(Native.rs_sum_all(H, out var r), r);
    public Tensor Mean() => Wrap(Native.rs_mean_all(H, out var r), r);
    public Tensor Max() => Wrap(Native.rs_max_all(H, out var r), r);
    public Tensor Min() => Wrap(Native.rs_min_all(H, out var r), r);
    public Tensor All() => Wrap(Native.rs_all_all(H, out var r), r);
    public Tensor Any() => Wrap(Native.rs_any_all(H, out var r), r);

    public unsafe Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);
    public unsafe Tensor Sum(long[] dims, bool keepDim = false)
    {
        fixed (long* p = dims) return Wrap(Native.rs_sum(H, p, dims.Length, keepDim ? 1 : 0, out var r), r);
    }

    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);
    public unsafe Tensor Mean(long[] dims, bool keepDim = false)
    {
        fixed (long* p = dims) return Wrap(Native.rs_mean(H, p, dims.Length, keepDim ? 1 : 0, out var r), r);
    }

    public Tensor Prod(long dim, bool keepDim = false) => Wrap(Native.rs_prod(H, dim, keepDim ? 1 : 0, out var r), r);

    /// <summary>Variance over the given dimensions, divided by n − 1 when <paramref name="unbiased"/>, else by n.</summary>
    public Tensor Var(long dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);
    public unsafe Tensor Var(long[] dims, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* p = dims) return Wrap(Native.rs_var(H, p, dims.Length, unbiased ? 1 : 0, keepDim ? 1 : 0, out var r), r);
    }

    public Tensor Std(long dim, bool unbiased = true, bool keepDim = false) => Std([dim], unbiased, keepDim);
    public unsafe Tensor Std(long[] dims, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* p = dims) return Wrap(Native.rs_std(H, p, dims.Length, unbiased ? 1 : 0, keepDim ? 1 : 0, out var r), r);
    }

    /// <summary>Maximum along <paramref name="dim"/> with the indices where it occurs.</summary>
    public ValuesIndices Max(long dim, bool keepDim = false)
    {
        var status = Native.rs_max_dim(H, dim, keepDim ? 1 : 0, out var v, out var i);
        return new ValuesIndices(Wrap(status, v), new Tensor(i));
    }

    public ValuesIndices Min(long dim, bool keepDim = false)
    {
        var status = Native.rs_min_dim(H, dim, keepDim ? 1 : 0, out var v, out var i);
        return new ValuesIndices(Wrap(status, v), new Tensor(i));
    }

    public Tensor Argmax(long dim, bool keepDim = false) => Wrap(Native.rs_argmax(H, dim, keepDim ? 1 : 0, out var r), r);
    public Tensor Argmin(long dim, bool keepDim = false) => Wrap(Native.rs_argmin(H, dim, keepDim ? 1 : 0, out var r), r);

    /// <summary>log Σ exp(x) over the given dimensions, computed stably (max-shifted).</summary>
    public Tensor LogSumExp(long dim, bool keepDim = false) => LogSumExp([dim], keepDim);
    public unsafe Tensor LogSumExp(long[] dims, bool keepDim = false)
    {
        fixed (long* p = dims) return Wrap(Native.rs_logsumexp(H, p, dims.Length, keepDim ? 1 : 0, out var r), r);
    }

    /// <summary>The p-norm over all elements, or over <paramref name="dims"/> when given.</summary>
    public unsafe Tensor Norm(double p = 2, long[]? dims = null, bool keepDim = false)
    {
        dims ??= [];
        fixed (long* d = dims) return Wrap(Native.rs_norm(H, p, d, dims.Length, keepDim ? 1 : 0, out var r), r);
    }

    public Tensor Norm(double p, long dim, bool keepDim = false) => Norm(p, [dim], keepDim);

    public ValuesIndices TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        var status = Native.rs_topk(H, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i);
        return new ValuesIndices(Wrap(status, v), new Tensor(i));
    }

    public ValuesIndices Sort(long dim = -1, bool descending = false)
    {
        var status = Native.rs_sort(H, dim, descending ? 1 : 0, out var v, out var i);
        return new ValuesIndices(Wrap(status, v), new Tensor(i));
    }

    public Tensor CumSum(long dim) => Wrap(Native.rs_cumsum(H, dim, out var r), r);

    // ---- in-place updates (for optimisers and EMA; they change this tensor's values) --------------

    public void Add_(Tensor other, double alpha = 1) => TorchException.Check(Native.rs_add_(H, other.H, alpha));
    public void Add_(double value) => TorchException.Check(Native.rs_add_scalar_(H, value));
    public void Sub_(Tensor other, double alpha = 1) => TorchException.Check(Native.rs_sub_(H, other.H, alpha));
    public void Mul_(Tensor other) => TorchException.Check(Native.rs_mul_(H, other.H));
    public void Mul_(double value) => TorchException.Check(Native.rs_mul_scalar_(H, value));
    public void Div_(Tensor other) => TorchException.Check(Native.rs_div_(H, other.H));
    public void Div_(double value) => TorchException.Check(Native.rs_div_scalar_(H, value));

    /// <summary><c>this += value · t1 · t2</c>.</summary>
    public void AddCMul_(Tensor t1, Tensor t2, double value = 1) => TorchException.Check(Native.rs_addcmul_(H, t1.H, t2.H, value));

    /// <summary><c>this += value · t1 / t2</c>.</summary>
    public void AddCDiv_(Tensor t1, Tensor t2, double value = 1) => TorchException.Check(Native.rs_addcdiv_(H, t1.H, t2.H, value));

    /// <summary><c>this += weight · (end − this)</c>: with weight 1 − γ, the EMA update γ·this + (1 − γ)·end.</summary>
    public void Lerp_(Tensor end, double weight) => TorchException.Check(Native.rs_lerp_(H, end.H, weight));

    /// <summary>Copies <paramref name="source"/>'s values (broadcast, converted) into this tensor.</summary>
    public void Copy_(Tensor source) => TorchException.Check(Native.rs_copy_(H, source.H));
    public void Zero_() => TorchException.Check(Native.rs_zero_(H));
    public void Fill_(double value) => TorchException.Check(Native.rs_fill_(H, value));
    public void Sqrt_() => TorchException.Check(Native.rs_sqrt_(H));

    public void Clamp_(double? min = null, double? max = null) =>
        TorchException.Check(Native.rs_clamp_(H, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));

    /// <summary>Fills with U(low, high) draws from <paramref name="generator"/>.</summary>
    public void Uniform_(double low, double high, Generator generator) => TorchException.Check(Native.rs_uniform_(H, low, high, generator.Handle));

    /// <summary>Fills with N(mean, std²) draws from <paramref name="generator"/>.</summary>
    public void Normal_(double mean, double std, Generator generator) => TorchException.Check(Native.rs_normal_(H, mean, std, generator.Handle));
}
