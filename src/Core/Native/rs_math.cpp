// Arithmetic with broadcasting, comparisons, elementwise math, reductions and in-place updates.
#include "rs_common.h"

using relic::dims;

// ---- arithmetic --------------------------------------------------------------------------------

RS_API int rs_add(TH a, TH b, double alpha, TH* out) { RS_RETURN(at::add(*a, *b, relic::alpha(alpha, *a, *b))); }
RS_API int rs_sub(TH a, TH b, double alpha, TH* out) { RS_RETURN(at::sub(*a, *b, relic::alpha(alpha, *a, *b))); }
RS_BINARY(mul, at::mul(*a, *b))
RS_BINARY(div, at::div(*a, *b))
RS_BINARY_SCALAR_AND_INT(add_scalar, at::add(*a, s))
RS_BINARY_SCALAR_AND_INT(sub_scalar, at::sub(*a, s))
RS_BINARY_SCALAR_AND_INT(mul_scalar, at::mul(*a, s))
RS_BINARY_SCALAR_AND_INT(div_scalar, at::div(*a, s))
RS_BINARY_SCALAR_AND_INT(rsub_scalar, at::rsub(*a, s))
RS_BINARY_SCALAR_AND_INT(rdiv_scalar, at::reciprocal(*a).mul(s))
RS_BINARY_SCALAR(pow_scalar, at::pow(*a, s))
RS_BINARY_SCALAR(rpow_scalar, at::pow(s, *a))
RS_BINARY(pow, at::pow(*a, *b))
// Integral remainder: x mod -1 is 0, but libtorch 1.13 computes it with the CPU's division, which traps (SIGFPE, the
// end of the process) for the smallest Int32 or Int64 value, whose quotient by -1 overflows. A divisor of -1 is
// replaced by 1, which gives the same result, 0, for every x. Floating remainders are left alone (2.5 mod -1 is -0.5).
// (A scalar divisor, a C# double, always gives a floating remainder.)
RS_API int rs_remainder(TH a, TH b, TH* out) {
  RS_TRY(at::Tensor divisor = *b;
         if (at::isIntegralType(at::result_type(*a, *b), /*includeBool=*/false)) divisor = b->masked_fill(b->eq(-1), 1);
         *out = relic::wrap(at::remainder(*a, divisor)));
}
RS_BINARY_SCALAR(remainder_scalar, at::remainder(*a, s))
RS_BINARY(matmul, at::matmul(*a, *b))
RS_BINARY(mm, at::mm(*a, *b))
RS_BINARY(bmm, at::bmm(*a, *b))
RS_BINARY(maximum, at::maximum(*a, *b))
RS_BINARY(minimum, at::minimum(*a, *b))
RS_BINARY(atan2, at::atan2(*a, *b))
RS_API int rs_where(TH cond, TH a, TH b, TH* out) { RS_RETURN(at::where(*cond, *a, *b)); }
RS_API int rs_lerp(TH a, TH b, double w, TH* out) { RS_RETURN(at::lerp(*a, *b, w)); }

// ---- comparisons and logic ---------------------------------------------------------------------

RS_BINARY(eq, at::eq(*a, *b))
RS_BINARY(ne, at::ne(*a, *b))
RS_BINARY(lt, at::lt(*a, *b))
RS_BINARY(le, at::le(*a, *b))
RS_BINARY(gt, at::gt(*a, *b))
RS_BINARY(ge, at::ge(*a, *b))
RS_BINARY_SCALAR(eq_scalar, at::eq(*a, s))
RS_BINARY_SCALAR(ne_scalar, at::ne(*a, s))
RS_BINARY_SCALAR(lt_scalar, at::lt(*a, s))
RS_BINARY_SCALAR(le_scalar, at::le(*a, s))
RS_BINARY_SCALAR(gt_scalar, at::gt(*a, s))
RS_BINARY_SCALAR(ge_scalar, at::ge(*a, s))
RS_BINARY(logical_and, at::logical_and(*a, *b))
RS_BINARY(logical_or, at::logical_or(*a, *b))
RS_UNARY(logical_not, at::logical_not(*a))
RS_API int rs_allclose(TH a, TH b, double rtol, double atol, int* out) { RS_TRY(*out = at::allclose(*a, *b, rtol, atol) ? 1 : 0); }
RS_API int rs_equal(TH a, TH b, int* out) { RS_TRY(*out = at::equal(*a, *b) ? 1 : 0); }

// ---- elementwise -------------------------------------------------------------------------------

RS_UNARY(neg, at::neg(*a))
RS_UNARY(exp, at::exp(*a))
RS_UNARY(log, at::log(*a))
RS_UNARY(log1p, at::log1p(*a))
RS_UNARY(sqrt, at::sqrt(*a))
RS_UNARY(rsqrt, at::rsqrt(*a))
RS_UNARY(abs, at::abs(*a))
RS_UNARY(sign, at::sign(*a))
RS_UNARY(square, at::square(*a))
RS_UNARY(reciprocal, at::reciprocal(*a))
RS_UNARY(sigmoid, at::sigmoid(*a))
RS_UNARY(relu, at::relu(*a))
RS_UNARY(tanh, at::tanh(*a))
RS_UNARY(sin, at::sin(*a))
RS_UNARY(cos, at::cos(*a))
RS_UNARY(floor, at::floor(*a))
RS_UNARY(ceil, at::ceil(*a))
RS_UNARY(round, at::round(*a))
RS_UNARY(trunc, at::trunc(*a))
RS_UNARY(isfinite, at::isfinite(*a))
RS_UNARY(isnan, at::isnan(*a))
RS_API int rs_clamp(TH a, double lo, double hi, int has_lo, int has_hi, TH* out) {
  RS_RETURN(at::clamp(*a, has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt,
                      has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt));
}

// ---- reductions --------------------------------------------------------------------------------

RS_UNARY(sum_all, at::sum(*a))
RS_UNARY(mean_all, at::mean(*a))
RS_UNARY(max_all, at::max(*a))
RS_UNARY(min_all, at::min(*a))
RS_UNARY(all_all, at::all(*a))
RS_UNARY(any_all, at::any(*a))
RS_API int rs_sum(TH a, const int64_t* d, int n, int keepdim, TH* out) { RS_RETURN(at::sum(*a, dims(d, n), keepdim != 0)); }
RS_API int rs_mean(TH a, const int64_t* d, int n, int keepdim, TH* out) { RS_RETURN(at::mean(*a, dims(d, n), keepdim != 0)); }
RS_API int rs_prod(TH a, int64_t dim, int keepdim, TH* out) { RS_RETURN(at::prod(*a, dim, keepdim != 0)); }
RS_API int rs_var(TH a, const int64_t* d, int n, int64_t correction, int keepdim, TH* out) {
  RS_RETURN(at::var(*a, at::OptionalIntArrayRef(dims(d, n)), c10::optional<int64_t>(correction), keepdim != 0));
}
RS_API int rs_std(TH a, const int64_t* d, int n, int64_t correction, int keepdim, TH* out) {
  RS_RETURN(at::std(*a, at::OptionalIntArrayRef(dims(d, n)), c10::optional<int64_t>(correction), keepdim != 0));
}
// (values, indices) pairs are written together or not at all.
static void wrap_pair(std::tuple<at::Tensor, at::Tensor> r, TH* values, TH* indices) {
  TH both[2];
  relic::wrap_all({std::move(std::get<0>(r)), std::move(std::get<1>(r))}, both);
  *values = both[0];
  *indices = both[1];
}
RS_API int rs_max_dim(TH a, int64_t dim, int keepdim, TH* values, TH* indices) {
  RS_TRY(wrap_pair(at::max(*a, dim, keepdim != 0), values, indices));
}
RS_API int rs_min_dim(TH a, int64_t dim, int keepdim, TH* values, TH* indices) {
  RS_TRY(wrap_pair(at::min(*a, dim, keepdim != 0), values, indices));
}
RS_API int rs_argmax(TH a, int64_t dim, int keepdim, TH* out) { RS_RETURN(at::argmax(*a, dim, keepdim != 0)); }
RS_API int rs_argmin(TH a, int64_t dim, int keepdim, TH* out) { RS_RETURN(at::argmin(*a, dim, keepdim != 0)); }
RS_API int rs_logsumexp(TH a, const int64_t* d, int n, int keepdim, TH* out) { RS_RETURN(at::logsumexp(*a, dims(d, n), keepdim != 0)); }
RS_API int rs_norm(TH a, double p, const int64_t* d, int n, int keepdim, TH* out) {
  RS_RETURN(n == 0 ? at::norm(*a, p) : at::norm(*a, at::Scalar(p), dims(d, n), keepdim != 0));
}
RS_API int rs_topk(TH a, int64_t k, int64_t dim, int largest, int sorted, TH* values, TH* indices) {
  RS_TRY(wrap_pair(at::topk(*a, k, dim, largest != 0, sorted != 0), values, indices));
}
RS_API int rs_sort(TH a, int64_t dim, int descending, TH* values, TH* indices) {
  RS_TRY(wrap_pair(at::sort(*a, dim, descending != 0), values, indices));
}
RS_API int rs_cumsum(TH a, int64_t dim, TH* out) { RS_RETURN(at::cumsum(*a, dim)); }

// ---- in-place updates (optimisers, EMA); each returns only a status ----------------------------

// In place, the result keeps a's dtype: a floating scalar on an integral tensor is refused by libtorch, as in PyTorch.
RS_API int rs_add_(TH a, TH b, double alpha) { RS_TRY(a->add_(*b, relic::alpha(alpha, *a, *b))); }
RS_API int rs_add_scalar_(TH a, double s) { RS_TRY(a->add_(at::Scalar(s))); }
RS_API int rs_sub_(TH a, TH b, double alpha) { RS_TRY(a->sub_(*b, relic::alpha(alpha, *a, *b))); }
RS_API int rs_mul_(TH a, TH b) { RS_TRY(a->mul_(*b)); }
RS_API int rs_mul_scalar_(TH a, double s) { RS_TRY(a->mul_(at::Scalar(s))); }
RS_API int rs_div_(TH a, TH b) { RS_TRY(a->div_(*b)); }
RS_API int rs_div_scalar_(TH a, double s) { RS_TRY(a->div_(s)); }
RS_API int rs_addcmul_(TH a, TH t1, TH t2, double value) { RS_TRY(a->addcmul_(*t1, *t2, value)); }
RS_API int rs_addcdiv_(TH a, TH t1, TH t2, double value) { RS_TRY(a->addcdiv_(*t1, *t2, value)); }
RS_API int rs_lerp_(TH a, TH end, double weight) { RS_TRY(a->lerp_(*end, weight)); }
RS_API int rs_copy_(TH a, TH src) { RS_TRY(a->copy_(*src)); }
RS_API int rs_zero_(TH a) { RS_TRY(a->zero_()); }
RS_API int rs_fill_(TH a, double value) { RS_TRY(a->fill_(at::Scalar(value))); }
RS_API int rs_sqrt_(TH a) { RS_TRY(a->sqrt_()); }
RS_API int rs_clamp_(TH a, double lo, double hi, int has_lo, int has_hi) {
  RS_TRY(a->clamp_(has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt,
                   has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt));
}
