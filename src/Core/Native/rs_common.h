// Shared definitions of the relic_torch C ABI.
//
// Conventions of every export (rs_<area>_<op> or rs_<op>):
//   * returns int: 0 on success, 1 on failure; the failure's message is then read with rs_last_error();
//   * results come back through out-parameters, so "no tensor" (an undefined gradient, say) is a
//     successful call that writes nullptr, never confused with a failure;
//   * a tensor out-parameter (TH* out) receives a new, owned handle that the caller frees with
//     rs_tensor_free; tensor arguments are borrowed;
//   * nothing throws across the boundary: c10::Error, std::exception and anything else are caught by RS_TRY; the few
//     exports without a status (rs_last_error, rs_live_tensors, rs_torch_version, rs_cuda_is_available, rs_dist_backends
//     and the *_free functions) are declared RS_NOEXCEPT and do only what cannot throw (reading a thread-local or atomic
//     value, running a noexcept destructor, or catching everything);
//   * several tensor results are wrapped together (wrap_all) or not at all, so a late failure leaks no handle;
//   * a C# double is a floating scalar and a C# long (the int and long operators) an integral one, as Python's float and
//     int are in PyTorch's type promotion (int64 tensor * 2.0 is float, int64 tensor * 2 stays int64).
#pragma once

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#define RS_API extern "C" __attribute__((visibility("default")))
// An export without a status: its body must not be able to throw (a throw would call std::terminate).
#define RS_NOEXCEPT noexcept

typedef at::Tensor* TH;
typedef at::Generator* GH;

namespace relic {

// Never throws: when even the message cannot be stored, rs_last_error reports that instead.
void set_error(const char* message) noexcept;
extern std::atomic<int64_t> live_tensors;

// Fault injection for tests (rs_debug_fail_after): a countdown of this thread's fail points; the fail point reached when
// it is 0 throws std::bad_alloc once. -1 (the default) disables it. Fail points sit where the shim itself allocates
// after libtorch has done its work: wrapping results and the caching allocator's bookkeeping.
extern thread_local int fail_countdown;
inline void fail_point() {
  if (fail_countdown < 0) return;
  if (fail_countdown-- == 0) throw std::bad_alloc();
}

// Wraps a result in a new owned handle and counts it as live.
inline TH wrap(at::Tensor t) {
  TORCH_CHECK(t.defined(), "relic_torch: the operation returned no tensor");
  fail_point();
  TH h = new at::Tensor(std::move(t));
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return h;
}

// Wraps several results all at once or not at all: every handle is allocated before any is written to out, so a
// failure on the k-th leaves nothing behind. An undefined tensor becomes nullptr when allowed (an unused input's
// gradient), else it is an error.
inline void wrap_all(std::vector<at::Tensor> results, TH* out, bool undefined_is_null = false) {
  std::vector<std::unique_ptr<at::Tensor>> handles(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].defined()) {
      TORCH_CHECK(undefined_is_null, "relic_torch: the operation returned no tensor for result ", i);
      continue;
    }
    fail_point();
    handles[i] = std::make_unique<at::Tensor>(std::move(results[i]));
  }
  // Nothing below can throw.
  for (size_t i = 0; i < handles.size(); ++i) {
    if (handles[i] != nullptr) live_tensors.fetch_add(1, std::memory_order_relaxed);
    out[i] = handles[i].release();
  }
}

inline at::IntArrayRef dims(const int64_t* p, int n) {
  TORCH_CHECK(n >= 0, "relic_torch: a list of ", n, " values (must be >= 0)");
  return at::IntArrayRef(p, static_cast<size_t>(n));
}

inline std::vector<at::Tensor> tensors(const TH* p, int n) {
  TORCH_CHECK(n >= 0, "relic_torch: a list of ", n, " tensors (must be >= 0)");
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    TORCH_CHECK(p[i] != nullptr, "relic_torch: tensor ", i, " of the list is null");
    v.push_back(*p[i]);
  }
  return v;
}

inline c10::optional<at::Tensor> optional(TH t) {
  return t == nullptr ? c10::optional<at::Tensor>() : c10::optional<at::Tensor>(*t);
}

// The alpha of add/sub (a multiplier of the second operand that takes no part in type promotion): integral when both
// operands are integral (or Bool), where libtorch refuses a floating alpha, then it must be a whole number; a double
// otherwise, so that an alpha of -0.0 stays -0.0.
inline at::Scalar alpha(double v, const at::Tensor& a, const at::Tensor& b) {
  if (!at::isIntegralType(at::result_type(a, b), /*includeBool=*/true)) return at::Scalar(v);
  TORCH_CHECK(std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9007199254740992.0, "alpha must be a whole number in (-2^53, 2^53) for ",
              at::result_type(a, b), " operands, got ", v);
  return at::Scalar(static_cast<int64_t>(v));
}

// The dtypes of the managed DType (c10::ScalarType codes); any other code is refused before libtorch sees it.
inline at::ScalarType scalar_type(int code) {
  switch (code) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 11:
      return static_cast<at::ScalarType>(code);
    default:
      TORCH_CHECK(false, "dtype code ", code, " is not supported (allowed: 0 UInt8, 1 Int8, 2 Int16, 3 Int32, 4 Int64, 5 Float16, 6 Float32, 7 Float64, 11 Bool)");
  }
}

inline c10::Device device(int device_type, int device_index) {
  TORCH_CHECK(device_type == 0 || device_type == 1, "device type ", device_type, " is not supported (allowed: 0 CPU, 1 CUDA)");
  TORCH_CHECK(device_type != 0 || device_index == 0, "the CPU device has index 0, got ", device_index);
  TORCH_CHECK(device_index >= 0 && device_index <= std::numeric_limits<c10::DeviceIndex>::max(), "device index ", device_index,
              " is outside [0, ", static_cast<int>(std::numeric_limits<c10::DeviceIndex>::max()), "]");
  return c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions().dtype(scalar_type(dtype)).device(device(device_type, device_index));
}

// A loss reduction: 0 none, 1 mean, 2 sum (at::Reduction); libtorch does not check every loss's code itself.
inline int64_t reduction(int code) {
  TORCH_CHECK(code >= 0 && code <= 2, "reduction code ", code, " is not supported (allowed: 0 none, 1 mean, 2 sum)");
  return code;
}

}  // namespace relic

// The shim's own hot loops (the augmentation kernels of rs_vision.cpp) are compiled twice, for AVX2 and for the build's
// baseline, and the dynamic loader picks the clone this CPU runs (an ifunc). CMake defines RELIC_HAVE_DISPATCH for a
// portable x86-64 build; a native build (RELIC_ARCH=native) already targets the build machine and has one version.
// Neither clone enables FMA, so both round exactly alike and a result does not depend on the machine.
#if defined(RELIC_HAVE_DISPATCH) && defined(__x86_64__)
#define RELIC_DISPATCH __attribute__((target_clones("avx2", "default")))
#else
#define RELIC_DISPATCH
#endif

namespace relic {

// Tasks per chunk of an at::parallel_for over tasks of `elements` floats each: at least ATen's own grain of 32 768
// elements, so that the small images of a CIFAR-scale batch run as one or a few chunks instead of one parallel region
// per image — every region is a barrier that waits for the slowest thread, which on a busy machine may be descheduled.
inline int64_t grain_for(int64_t elements) { return std::max<int64_t>(1, int64_t{32768} / std::max<int64_t>(1, elements)); }

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

// An export with a floating scalar s (a C# double).
#define RS_BINARY_SCALAR(name, expr)                   \
  RS_API int rs_##name(TH a, double value, TH* out) {  \
    const at::Scalar s(value);                         \
    RS_RETURN(expr);                                   \
  }

// The same with its integral twin rs_<name>_int (a C# long or int operand of an operator).
#define RS_BINARY_SCALAR_AND_INT(name, expr)                 \
  RS_BINARY_SCALAR(name, expr)                               \
  RS_API int rs_##name##_int(TH a, int64_t value, TH* out) { \
    const at::Scalar s(value);                               \
    RS_RETURN(expr);                                         \
  }
