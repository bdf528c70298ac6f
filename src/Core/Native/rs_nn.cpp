// Functional neural-network operations (the differentiable building blocks of modules and losses).
#include "rs_common.h"

#include <torch/version.h>

using relic::dims;
using relic::optional;

static c10::optional<double> opt_scale(double s) { return s > 0 ? c10::optional<double>(s) : c10::nullopt; }

RS_API int rs_linear(TH x, TH w, TH b, TH* out) { RS_RETURN(at::linear(*x, *w, optional(b))); }

// The defect below was seen in libtorch 1.13's bundled oneDNN; other versions compute the convolution as asked, since a
// work-around for a bug that is not there would only hide a behaviour change (docs/architecture.md §3.5).
#if TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR == 13
#define RELIC_STRIDED_POINTWISE_DETOUR 1
#else
#define RELIC_STRIDED_POINTWISE_DETOUR 0
#endif

// groups is checked first: libtorch 1.13 divides by a narrowed copy of it, so a count beyond the int range (2^50, say)
// is a division by zero (SIGFPE, the end of the process).
static at::Tensor conv2d(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b, const int64_t* stride,
                         const int64_t* padding, const int64_t* dilation, int64_t groups) {
  TORCH_CHECK(w.dim() == 4, "conv2d: the weight must be 4-D [out, in/groups, kH, kW], got ", w.sizes());
  TORCH_CHECK(groups >= 1 && groups <= w.size(0), "conv2d: groups must be in [1, ", w.size(0), "] (the weight's out channels), got ", groups);
#if RELIC_STRIDED_POINTWISE_DETOUR
  // libtorch 1.13's oneDNN computes a wrong weight gradient for a strided 1x1 convolution of a channels-last input with
  // 2 to 6 input channels (docs/results.md §5). A 1x1 convolution without padding at stride s is the stride-1
  // convolution of every s-th pixel, which is exact and takes another kernel.
  // Only that case takes the detour (fewer than 8 input channels per group, either operand channels-last).
  auto channels_last = [](const at::Tensor& t) { return t.is_contiguous(at::MemoryFormat::ChannelsLast) && !t.is_contiguous(); };
  bool strided_pointwise = x.dim() == 4 && w.size(1) < 8 && w.size(2) == 1 && w.size(3) == 1 && padding[0] == 0 && padding[1] == 0 &&
                           (stride[0] > 1 || stride[1] > 1) && (channels_last(x) || channels_last(w));
  if (strided_pointwise)
    return at::conv2d(x.slice(2, 0, c10::nullopt, stride[0]).slice(3, 0, c10::nullopt, stride[1]), w, b, at::IntArrayRef({1, 1}),
                      at::IntArrayRef({0, 0}), dims(dilation, 2), groups);
#endif
  return at::conv2d(x, w, b, dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups);
}

RS_API int rs_conv2d(TH x, TH w, TH b, const int64_t* stride, const int64_t* padding, const int64_t* dilation, int64_t groups,
                     TH* out) {
  RS_RETURN(conv2d(*x, *w, optional(b), stride, padding, dilation, groups));
}

// Batch normalisation; in training mode the running statistics (when given) are updated in place.
RS_API int rs_batch_norm(TH x, TH weight, TH bias, TH running_mean, TH running_var, int training, double momentum, double eps,
                         TH* out) {
  RS_RETURN(at::batch_norm(*x, optional(weight), optional(bias), optional(running_mean), optional(running_var), training != 0,
                           momentum, eps, /*cudnn_enabled=*/true));
}

RS_API int rs_max_pool2d(TH x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, int ceil_mode, TH* out) {
  RS_RETURN(at::max_pool2d(*x, dims(kernel, 2), dims(stride, 2), dims(padding, 2), at::IntArrayRef({1, 1}), ceil_mode != 0));
}
RS_API int rs_avg_pool2d(TH x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, int ceil_mode,
                         int count_include_pad, TH* out) {
  RS_RETURN(at::avg_pool2d(*x, dims(kernel, 2), dims(stride, 2), dims(padding, 2), ceil_mode != 0, count_include_pad != 0));
}
RS_API int rs_adaptive_avg_pool2d(TH x, const int64_t* size, TH* out) { RS_RETURN(at::adaptive_avg_pool2d(*x, dims(size, 2))); }

// mode: 0 nearest, 1 bilinear, 2 bicubic. scale_h/scale_w <= 0 means "derive from the sizes".
RS_API int rs_interpolate(TH x, const int64_t* size, int mode, int align_corners, int antialias, double scale_h, double scale_w,
                          TH* out) {
  RS_TRY(
      auto osize = dims(size, 2); at::Tensor r;
      switch (mode) {
        case 0:
          TORCH_CHECK(!antialias, "interpolate: antialias is only defined for bilinear and bicubic modes");
          r = at::upsample_nearest2d(*x, osize, opt_scale(scale_h), opt_scale(scale_w));
          break;
        case 1:
          r = antialias ? at::_upsample_bilinear2d_aa(*x, osize, align_corners != 0, opt_scale(scale_h), opt_scale(scale_w))
                        : at::upsample_bilinear2d(*x, osize, align_corners != 0, opt_scale(scale_h), opt_scale(scale_w));
          break;
        case 2:
          r = antialias ? at::_upsample_bicubic2d_aa(*x, osize, align_corners != 0, opt_scale(scale_h), opt_scale(scale_w))
                        : at::upsample_bicubic2d(*x, osize, align_corners != 0, opt_scale(scale_h), opt_scale(scale_w));
          break;
        default:
          TORCH_CHECK(false, "interpolate: unknown mode ", mode);
      } *out = relic::wrap(r));
}

RS_API int rs_affine_grid(TH theta, const int64_t* size, int n, int align_corners, TH* out) {
  RS_RETURN(at::affine_grid_generator(*theta, dims(size, n), align_corners != 0));
}
// interpolation: 0 bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection. libtorch 1.13 does not check
// the codes (an unknown one reads uninitialised memory), so they are checked here.
RS_API int rs_grid_sample(TH x, TH grid, int interpolation, int padding, int align_corners, TH* out) {
  RS_TRY(TORCH_CHECK(interpolation >= 0 && interpolation <= 2, "grid_sample: interpolation code ", interpolation,
                     " is not supported (allowed: 0 bilinear, 1 nearest, 2 bicubic)");
         TORCH_CHECK(padding >= 0 && padding <= 2, "grid_sample: padding code ", padding,
                     " is not supported (allowed: 0 zeros, 1 border, 2 reflection)");
         *out = relic::wrap(at::grid_sampler(*x, *grid, interpolation, padding, align_corners != 0)));
}

// mode: 0 constant, 1 reflect, 2 replicate; pads as in torch.nn.functional.pad (last dimension first).
RS_API int rs_pad(TH x, const int64_t* pads, int n, int mode, double value, TH* out) {
  RS_TRY(
      at::Tensor r; switch (mode) {
        case 0: r = at::constant_pad_nd(*x, dims(pads, n), value); break;
        case 1:
          TORCH_CHECK(n == 4, "pad: reflect padding takes 4 values (left, right, top, bottom), got ", n);
          r = at::reflection_pad2d(*x, dims(pads, n));
          break;
        case 2:
          TORCH_CHECK(n == 4, "pad: replicate padding takes 4 values (left, right, top, bottom), got ", n);
          r = at::replication_pad2d(*x, dims(pads, n));
          break;
        default: TORCH_CHECK(false, "pad: unknown mode ", mode);
      } *out = relic::wrap(r));
}

RS_API int rs_softmax(TH x, int64_t dim, TH* out) { RS_RETURN(at::softmax(*x, dim)); }
RS_API int rs_log_softmax(TH x, int64_t dim, TH* out) { RS_RETURN(at::log_softmax(*x, dim)); }

// reduction: 0 none, 1 mean, 2 sum (at::Reduction); checked here, since some losses treat an unknown code as another.
using relic::reduction;
RS_API int rs_cross_entropy(TH x, TH target, TH weight, int red, int64_t ignore_index, double label_smoothing, TH* out) {
  RS_RETURN(at::cross_entropy_loss(*x, *target, optional(weight), reduction(red), ignore_index, label_smoothing));
}
RS_API int rs_nll_loss(TH x, TH target, TH weight, int red, int64_t ignore_index, TH* out) {
  RS_RETURN(at::nll_loss_nd(*x, *target, optional(weight), reduction(red), ignore_index));
}
RS_API int rs_kl_div(TH x, TH target, int red, int log_target, TH* out) {
  RS_RETURN(at::kl_div(*x, *target, reduction(red), log_target != 0));
}
RS_API int rs_mse_loss(TH x, TH target, int red, TH* out) { RS_RETURN(at::mse_loss(*x, *target, reduction(red))); }
RS_API int rs_one_hot(TH x, int64_t classes, TH* out) { RS_RETURN(at::one_hot(*x, classes)); }
