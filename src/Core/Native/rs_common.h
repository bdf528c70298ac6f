// Shared definitions of the relic_torch C ABI.
//
// Conventions of every export (rs_<area>_<op> or rs_<op>):
//   * returns int: 0 on success, 1 on failure; the failure's message is then read with rs_last_error();
//   * results come back through out-parameters, so "no tensor" (an undefined gradient, say) is a
//     successful call that writes nullptr, never confused with a failure;
//   * a tensor out-parameter (TH* out) receives a new, owned handle that the caller frees with
//     rs_tensor_free; tensor arguments are borrowed;
//   * nothing throws across the boundary: c10::Error, std::exception and anything else are caught.
#pragma once

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#define RS_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TH;
typedef at::Generator* GH;

namespace relic {

void set_error(const char* message);
extern std::atomic<int64_t> live_tensors;

// Wraps a result in a new owned handle and counts it as live.
inline TH wrap(at::Tensor t) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

inline at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

inline std::vector<at::Tensor> tensors(const TH* p, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(*p[i]);
  return v;
}

inline c10::optional<at::Tensor> optional(TH t) {
  return t == nullptr ? c10::optional<at::Tensor>() : c10::optional<at::Tensor>(*t);
}

// A C# double as an ATen scalar: whole numbers become integer scalars, so that integer tensors stay integral
// (Int64 + 1 is Int64, and an alpha of 1 is accepted for integer tensors); other values stay doubles.
inline at::Scalar scalar(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return at::Scalar(static_cast<int64_t>(v));
  return at::Scalar(v);
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

}  // namespace relic

// Runs the body; maps any C++ exception to status 1 with its message in the thread's error slot.
#define RS_TRY(...)                                        \
  try {                                                    \
    __VA_ARGS__;                                           \
    return 0;                                              \
  } catch (const c10::Error& e) {                          \
    relic::set_error(e.what_without_backtrace());          \
    return 1;                                              \
  } catch (const std::exception& e) {                      \
    relic::set_error(e.what());                            \
    return 1;                                              \
  } catch (...) {                                          \
    relic::set_error("unknown C++ exception in relic_torch"); \
    return 1;                                              \
  }

// An export computing one tensor from borrowed inputs.
#define RS_RETURN(expr) RS_TRY(*out = relic::wrap(expr))

#define RS_UNARY(name, expr) \
  RS_API int rs_##name(TH a, TH* out) { RS_RETURN(expr); }

#define RS_BINARY(name, expr) \
  RS_API int rs_##name(TH a, TH b, TH* out) { RS_RETURN(expr); }

#define RS_BINARY_SCALAR(name, expr)                   \
  RS_API int rs_##name(TH a, double value, TH* out) {  \
    const at::Scalar s = relic::scalar(value);         \
    RS_RETURN(expr);                                   \
  }
