// Fused kernels: batch normalisation with the residual addition and ReLU that follow it in a ResNet,
//   y = relu(bn(x) + r),
// as one pass over the data forward and two backward, where the composite of ATen operations takes four and five
// (docs/benchmarks.md §3: batch norm and element-wise work were a fifth of a step). The fused path covers what the
// encoders run on the CPU: float32 in training mode, the input channels-last 4-D or a contiguous [N, C] matrix, so that
// every tensor is a matrix of rows of C channels. Anything else takes the composite of ATen operations, which computes
// the same function (the tests hold the two to each other, and both to finite differences).
#include "rs_common.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/custom_function.h>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Whether t is a matrix of rows of C contiguous channels: channels-last 4-D, or contiguous 2-D.
bool rows_of_channels(const at::Tensor& t) {
  if (t.dim() == 2) return t.is_contiguous();
  if (t.dim() == 4) return t.is_contiguous(at::MemoryFormat::ChannelsLast);
  return false;
}

at::MemoryFormat rows_format(const at::Tensor& t) { return t.dim() == 4 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous; }

// Chunks of rows the passes are split into: one per thread, and fewer for small tensors (at least 32 768 elements
// each), so a small layer runs on one thread instead of entering a parallel region whose barrier waits for the slowest
// thread. The partition depends only on the sizes and the thread count, so the sums (and results) are reproducible.
int64_t chunks_for(int64_t rows, int64_t channels) {
  const int64_t by_size = std::max<int64_t>(1, rows * channels / 32768);
  return std::max<int64_t>(1, std::min<int64_t>({by_size, static_cast<int64_t>(at::get_num_threads()), rows}));
}

template <typename F>
void for_chunks(int64_t rows, int64_t chunks, const F& body) {
  if (chunks == 1) {
    body(0, 0, rows);
    return;
  }
  at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) body(k, rows * k / chunks, rows * (k + 1) / chunks);
  });
}

// Rows summed in float before their block's sums are added to the double totals: the float inner loop vectorises
// (8 lanes, where a double accumulator gets 4 and a mixed select none), and 64 terms lose no digit that matters.
constexpr int64_t kBlockRows = 64;

// Per-channel Σ(x − p) and Σ(x − p)² over rows [r0, r1). The pivot p (the first row) keeps the sum of squares from
// cancelling when a channel's mean is large against its spread.
RELIC_DISPATCH void moments(const float* __restrict__ x, int64_t r0, int64_t r1, int64_t c, const float* __restrict__ pivot,
                            double* __restrict__ s, double* __restrict__ q, float* __restrict__ fs, float* __restrict__ fq) {
  for (int64_t b0 = r0; b0 < r1; b0 += kBlockRows) {
    const int64_t b1 = std::min(r1, b0 + kBlockRows);
    for (int64_t j = 0; j < c; ++j) fs[j] = fq[j] = 0.f;
    for (int64_t r = b0; r < b1; ++r) {
      const float* __restrict__ row = x + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const float d = row[j] - pivot[j];
        fs[j] += d;
        fq[j] += d * d;
      }
    }
    for (int64_t j = 0; j < c; ++j) {
      s[j] += fs[j];
      q[j] += fq[j];
    }
  }
}

// y = max((x − p)·a + b + r, 0) over rows [r0, r1) (r may be null), p the pivot row: x − p is exact for x near p, where
// x·a would round at the scale of the mean. max(v, 0) written as v < 0 ? 0 : v keeps a NaN, as relu does.
RELIC_DISPATCH void affine_relu(const float* x, const float* res, float* y, int64_t r0, int64_t r1, int64_t c, const float* p,
                                const float* a, const float* b) {
  if (res == nullptr) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const float v = (xr[j] - p[j]) * a[j] + b[j];
        yr[j] = v < 0.f ? 0.f : v;
      }
    }
    return;
  }
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    const float* rr = res + r * c;
    float* yr = y + r * c;
    for (int64_t j = 0; j < c; ++j) {
      const float v = (xr[j] - p[j]) * a[j] + b[j] + rr[j];
      yr[j] = v < 0.f ? 0.f : v;
    }
  }
}

// Backward reduction: with dz = dy where y > 0 (else 0), per-channel Σ dz and Σ dz·(x − p), in blocks as moments.
RELIC_DISPATCH void grad_sums(const float* __restrict__ dy, const float* __restrict__ y, const float* __restrict__ x, int64_t r0, int64_t r1,
                              int64_t c, const float* __restrict__ p, double* __restrict__ sdz, double* __restrict__ sdzx,
                              float* __restrict__ fs, float* __restrict__ fq) {
  for (int64_t b0 = r0; b0 < r1; b0 += kBlockRows) {
    const int64_t b1 = std::min(r1, b0 + kBlockRows);
    for (int64_t j = 0; j < c; ++j) fs[j] = fq[j] = 0.f;
    for (int64_t r = b0; r < b1; ++r) {
      const float* __restrict__ dyr = dy + r * c;
      const float* __restrict__ yr = y + r * c;
      const float* __restrict__ xr = x + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const float g = dyr[j], v = yr[j];   // both loaded unconditionally, so the select vectorises
        const float dz = v > 0.f ? g : 0.f;
        fs[j] += dz;
        fq[j] += dz * (xr[j] - p[j]);
      }
    }
    for (int64_t j = 0; j < c; ++j) {
      sdz[j] += fs[j];
      sdzx[j] += fq[j];
    }
  }
}

// Backward element-wise pass: dx = a·dz + b·(x − p) + e per channel, and dr = dz when dr is not null.
RELIC_DISPATCH void grad_input(const float* dy, const float* y, const float* x, float* dx, float* dr, int64_t r0, int64_t r1, int64_t c,
                               const float* p, const float* a, const float* b, const float* e) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* dyr = dy + r * c;
    const float* yr = y + r * c;
    const float* xr = x + r * c;
    if (dx != nullptr) {
      float* dxr = dx + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const float g = dyr[j], v = yr[j];
        const float dz = v > 0.f ? g : 0.f;
        dxr[j] = a[j] * dz + b[j] * (xr[j] - p[j]) + e[j];
      }
    }
    if (dr != nullptr) {
      float* drr = dr + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const float g = dyr[j], v = yr[j];
        drr[j] = v > 0.f ? g : 0.f;
      }
    }
  }
}

// Sums per-chunk accumulators [chunks, c] in chunk order.
std::vector<double> sum_chunks(const std::vector<double>& parts, int64_t chunks, int64_t c) {
  std::vector<double> total(static_cast<size_t>(c), 0.0);
  for (int64_t k = 0; k < chunks; ++k)
    for (int64_t j = 0; j < c; ++j) total[j] += parts[k * c + j];
  return total;
}

at::Tensor double_vector(const std::vector<double>& v) {
  auto t = at::empty({static_cast<int64_t>(v.size())}, at::TensorOptions().dtype(at::kDouble));
  std::copy(v.begin(), v.end(), t.data_ptr<double>());
  return t;
}

at::Tensor float_vector(const std::vector<double>& v) {
  auto t = at::empty({static_cast<int64_t>(v.size())}, at::TensorOptions().dtype(at::kFloat));
  auto* p = t.data_ptr<float>();
  for (size_t j = 0; j < v.size(); ++j) p[j] = static_cast<float>(v[j]);
  return t;
}

struct BatchNormRelu : public torch::autograd::Function<BatchNormRelu> {
  // x [N, C, H, W] channels-last or [N, C]; weight, bias [C] or undefined; residual like x or undefined; the running
  // statistics [C] or undefined (then left alone), updated in place with factor `momentum`.
  // The optional tensors travel as c10::optional: the autograd node records every tensor argument's device, which an
  // undefined tensor does not have. Absent ones take no input edge, so needs_input_grad counts only the present ones.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const c10::optional<at::Tensor>& weight_opt,
                            const c10::optional<at::Tensor>& bias_opt, const c10::optional<at::Tensor>& residual_opt,
                            const c10::optional<at::Tensor>& running_mean_opt, const c10::optional<at::Tensor>& running_var_opt, double momentum,
                            double eps) {
    const at::Tensor none;
    const at::Tensor& weight = weight_opt.has_value() ? *weight_opt : none;
    const at::Tensor& bias = bias_opt.has_value() ? *bias_opt : none;
    const at::Tensor& residual = residual_opt.has_value() ? *residual_opt : none;
    const at::Tensor& running_mean = running_mean_opt.has_value() ? *running_mean_opt : none;
    const at::Tensor& running_var = running_var_opt.has_value() ? *running_var_opt : none;
    RECORD_FUNCTION("relic_torch::batch_norm_relu", std::vector<c10::IValue>({x}));
    const int64_t c = x.size(1);
    const int64_t rows = x.numel() / std::max<int64_t>(c, 1);
    TORCH_CHECK(rows > 1, "batch_norm_relu: expected more than 1 value per channel when training, got input size ", x.sizes());
    const int64_t chunks = chunks_for(rows, c);
    const float* xp = x.data_ptr<float>();

    std::vector<double> s(static_cast<size_t>(chunks * c), 0.0), q(static_cast<size_t>(chunks * c), 0.0);
    std::vector<float> scratch(static_cast<size_t>(2 * chunks * c));
    for_chunks(rows, chunks, [&](int64_t k, int64_t r0, int64_t r1) {
      moments(xp, r0, r1, c, xp, &s[k * c], &q[k * c], &scratch[2 * k * c], &scratch[(2 * k + 1) * c]);
    });
    const auto st = sum_chunks(s, chunks, c), qt = sum_chunks(q, chunks, c);

    // μ = p + shift; the normalised value (x − μ)·s = (x − p)·s − shift·s, with the shift in double.
    const double n = static_cast<double>(rows);
    std::vector<double> mean(c), var(c), shift(c), invstd(c);
    const float* w = weight.defined() ? weight.data_ptr<float>() : nullptr;
    const float* b = bias.defined() ? bias.data_ptr<float>() : nullptr;
    std::vector<float> a(c), sh(c);
    for (int64_t j = 0; j < c; ++j) {
      shift[j] = st[j] / n;
      mean[j] = static_cast<double>(xp[j]) + shift[j];
      var[j] = std::max(0.0, qt[j] / n - shift[j] * shift[j]);
      invstd[j] = 1.0 / std::sqrt(var[j] + eps);
      const double scale = (w != nullptr ? static_cast<double>(w[j]) : 1.0) * invstd[j];
      a[j] = static_cast<float>(scale);
      sh[j] = static_cast<float>((b != nullptr ? static_cast<double>(b[j]) : 0.0) - shift[j] * scale);
    }

    auto y = at::empty_like(x, x.options(), rows_format(x));
    const float* rp = residual.defined() ? residual.data_ptr<float>() : nullptr;
    float* yp = y.data_ptr<float>();
    for_chunks(rows, chunks, [&](int64_t, int64_t r0, int64_t r1) { affine_relu(xp, rp, yp, r0, r1, c, xp, a.data(), sh.data()); });

    // The running statistics are written through their data, as ATen's batch norm writes them: without a version bump,
    // since its backward saves them (for evaluation mode) and another forward of the same layer in this graph, through
    // either path, must not invalidate that.
    if (running_mean.defined() && running_var.defined()) {
      float* rm = running_mean.data_ptr<float>();
      float* rv = running_var.data_ptr<float>();
      for (int64_t j = 0; j < c; ++j) {
        rm[j] = static_cast<float>((1 - momentum) * rm[j] + momentum * mean[j]);
        rv[j] = static_cast<float>((1 - momentum) * rv[j] + momentum * var[j] * n / (n - 1));   // the unbiased batch variance
      }
    }

    ctx->save_for_backward({x, weight, y, double_vector(shift), double_vector(invstd)});
    ctx->saved_data["residual"] = residual.defined();
    ctx->saved_data["affine"] = weight.defined();
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    RECORD_FUNCTION("relic_torch::batch_norm_relu_backward", std::vector<c10::IValue>({grads[0]}));
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "batch_norm_relu: the fused kernel has no second derivative; turn the fusion off (Torch.FusedBatchNorm = false) "
                "to differentiate twice (create_graph)");
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& y = saved[2];
    const auto& shift_t = saved[3];
    const auto& invstd_t = saved[4];
    const bool has_residual = ctx->saved_data["residual"].toBool();
    const bool affine = ctx->saved_data["affine"].toBool();
    variable_list out(8);
    if (!grads[0].defined()) return out;
    auto dy = grads[0].contiguous(rows_format(x));

    const int64_t c = x.size(1);
    const int64_t rows = x.numel() / c;
    const int64_t chunks = chunks_for(rows, c);
    const float* dyp = dy.data_ptr<float>();
    const float* yp = y.data_ptr<float>();
    const float* xp = x.data_ptr<float>();
    const double* shift = shift_t.data_ptr<double>();
    const double* invstd = invstd_t.data_ptr<double>();

    std::vector<double> sdz(static_cast<size_t>(chunks * c), 0.0), sdzx(static_cast<size_t>(chunks * c), 0.0);
    std::vector<float> scratch(static_cast<size_t>(2 * chunks * c));
    for_chunks(rows, chunks, [&](int64_t k, int64_t r0, int64_t r1) {
      grad_sums(dyp, yp, xp, r0, r1, c, xp, &sdz[k * c], &sdzx[k * c], &scratch[2 * k * c], &scratch[(2 * k + 1) * c]);
    });
    // Σ dz·(x − μ) = Σ dz·(x − p) − shift·Σ dz.
    const auto dz_sum = sum_chunks(sdz, chunks, c);
    auto dzx_sum = sum_chunks(sdzx, chunks, c);
    for (int64_t j = 0; j < c; ++j) dzx_sum[j] -= shift[j] * dz_sum[j];

    // Input edges: x, then weight and bias when affine, then the residual when given.
    const size_t weight_edge = 1, bias_edge = 2, residual_edge = affine ? 3 : 1;
    const bool want_x = ctx->needs_input_grad(0), want_r = has_residual && ctx->needs_input_grad(residual_edge);
    if (want_x || want_r) {
      const float* w = affine ? weight.data_ptr<float>() : nullptr;
      const double n = static_cast<double>(rows);
      std::vector<float> a(c), b(c), e(c);
      for (int64_t j = 0; j < c; ++j) {
        // dx = k·(dz − Σdz/n − (x − μ)·s²·Σdz(x − μ)/n), k = γ·s, s = 1/σ; with x − μ = (x − p) − shift.
        const double k = (w != nullptr ? static_cast<double>(w[j]) : 1.0) * invstd[j];
        const double slope = -k * invstd[j] * invstd[j] * dzx_sum[j] / n;
        a[j] = static_cast<float>(k);
        b[j] = static_cast<float>(slope);
        e[j] = static_cast<float>(-k * dz_sum[j] / n - slope * shift[j]);
      }
      at::Tensor dx = want_x ? at::empty_like(x, x.options(), rows_format(x)) : at::Tensor();
      at::Tensor dr = want_r ? at::empty_like(x, x.options(), rows_format(x)) : at::Tensor();
      float* dxp = want_x ? dx.data_ptr<float>() : nullptr;
      float* drp = want_r ? dr.data_ptr<float>() : nullptr;
      for_chunks(rows, chunks, [&](int64_t, int64_t r0, int64_t r1) {
        grad_input(dyp, yp, xp, dxp, drp, r0, r1, c, xp, a.data(), b.data(), e.data());
      });
      out[0] = dx;
      out[3] = dr;
    }
    if (affine && (ctx->needs_input_grad(weight_edge) || ctx->needs_input_grad(bias_edge))) {
      std::vector<double> dgamma(c);
      for (int64_t j = 0; j < c; ++j) dgamma[j] = dzx_sum[j] * invstd[j];
      if (ctx->needs_input_grad(weight_edge)) out[1] = float_vector(dgamma);
      if (ctx->needs_input_grad(bias_edge)) out[2] = float_vector(dz_sum);
    }
    return out;
  }
};

bool same_rows(const at::Tensor& a, const at::Tensor& b) { return a.sizes() == b.sizes() && rows_of_channels(b) && b.dtype() == a.dtype() && b.device() == a.device(); }

bool vector_of(const at::Tensor& t, int64_t c) {
  return !t.defined() || (t.dim() == 1 && t.size(0) == c && t.is_contiguous() && t.scalar_type() == at::kFloat && t.device().is_cpu());
}

}  // namespace

// relu(batch_norm(x) + residual), residual optional (null). With fuse != 0 and a float32 CPU input in training mode
// whose tensors are rows of channels (channels-last 4-D or contiguous 2-D), one fused kernel; otherwise the composite
// of ATen operations. The running statistics, when given, are updated in place in training mode as by rs_batch_norm.
RS_API int rs_batch_norm_relu(TH x, TH weight, TH bias, TH residual, TH running_mean, TH running_var, int training, double momentum,
                              double eps, int fuse, TH* out) {
  RS_TRY({
    const at::Tensor none;
    const at::Tensor& w = weight != nullptr ? *weight : none;
    const at::Tensor& b = bias != nullptr ? *bias : none;
    const at::Tensor& r = residual != nullptr ? *residual : none;
    const at::Tensor& rm = running_mean != nullptr ? *running_mean : none;
    const at::Tensor& rv = running_var != nullptr ? *running_var : none;
    TORCH_CHECK(x->dim() >= 2, "batch_norm_relu: the input must have a channel dimension (at least 2-D), got ", x->sizes());
    TORCH_CHECK(!r.defined() || r.sizes() == x->sizes(), "batch_norm_relu: the residual's shape ", r.sizes(), " differs from the input's ",
                x->sizes());
    const int64_t c = x->size(1);
    const bool fusable = fuse != 0 && training != 0 && x->device().is_cpu() && x->scalar_type() == at::kFloat && rows_of_channels(*x) &&
                         c > 0 && (!r.defined() || same_rows(*x, r)) && vector_of(w, c) && vector_of(b, c) && w.defined() == b.defined() &&
                         vector_of(rm, c) && vector_of(rv, c) && rm.defined() == rv.defined() && !(rm.defined() && rm.requires_grad()) &&
                         !(rv.defined() && rv.requires_grad());
    at::Tensor y;
    if (fusable) {
      y = BatchNormRelu::apply(*x, relic::optional(weight), relic::optional(bias), relic::optional(residual), relic::optional(running_mean),
                               relic::optional(running_var), momentum, eps);
    } else {
      auto z = at::batch_norm(*x, relic::optional(weight), relic::optional(bias), relic::optional(running_mean), relic::optional(running_var),
                              training != 0, momentum, eps, /*cudnn_enabled=*/true);
      y = r.defined() ? at::relu(z + r) : at::relu(z);
    }
    *out = relic::wrap(std::move(y));
  });
}
