// Errors, handle lifetime, threads and build facts.
#ifdef RELIC_HAVE_OPENMP
#include <omp.h>
#endif
#include "rs_common.h"

#include <torch/version.h>

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <c10/util/Logging.h>

#include <type_traits>

namespace relic {

// Every c10::Error carries a symbolised backtrace that libtorch builds when the error is raised (several milliseconds);
// the shim reports what_without_backtrace() only, so the backtrace is not fetched at all. Set once, when the library
// is loaded.
static const bool no_backtraces = [] {
  c10::SetStackTraceFetcher([] { return std::string(); });
  return true;
}();

std::atomic<int64_t> live_tensors{0};
thread_local int fail_countdown = -1;
static thread_local std::string last_error;
static thread_local bool last_error_lost = false;
void set_error(const char* message) noexcept {
  try {
    last_error = message == nullptr ? "" : message;
    last_error_lost = false;
  } catch (...) {
    last_error_lost = true;
  }
}
}  // namespace relic

RS_API const char* rs_last_error() RS_NOEXCEPT {
  return relic::last_error_lost ? "relic_torch: out of memory while recording an error message" : relic::last_error.c_str();
}

RS_API int64_t rs_live_tensors() RS_NOEXCEPT { return relic::live_tensors.load(std::memory_order_relaxed); }

// Deleting a tensor runs its noexcept destructor (and, for the last reference, the allocator's deleter, which the caching
// allocator keeps noexcept too).
static_assert(std::is_nothrow_destructible<at::Tensor>::value, "rs_tensor_free relies on a noexcept at::Tensor destructor");
RS_API void rs_tensor_free(TH t) RS_NOEXCEPT {
  if (t == nullptr) return;
  delete t;
  relic::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

RS_API const char* rs_torch_version() RS_NOEXCEPT { return TORCH_VERSION; }

// Without a status: any failure means "no CUDA".
RS_API int rs_cuda_is_available() RS_NOEXCEPT {
  try {
    return at::hasCUDA() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

RS_API int rs_cuda_device_count(int* out) { RS_TRY(*out = at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0); }

RS_API int rs_mkldnn_is_available(int* out) { RS_TRY(*out = at::hasMKLDNN() ? 1 : 0); }

static thread_local std::string config_text;
RS_API int rs_build_config(const char** out) {
  RS_TRY(config_text = at::show_config() + at::get_parallel_info(); *out = config_text.c_str());
}

// libtorch's at::set_num_threads throws (a c10::Error) on a count below 1.
RS_API int rs_set_num_threads(int n) {
  RS_TRY(TORCH_CHECK(n >= 1, "threads must be >= 1, got ", n); at::set_num_threads(n));
}
RS_API int rs_get_num_threads(int* out) { RS_TRY(*out = at::get_num_threads()); }

// Intra-op threads of the calling thread only. ATen's OpenMP backend reads omp_get_max_threads() per thread (and so does
// oneDNN's OpenMP runtime), while at::set_num_threads also rewrites the process-wide default that every thread starts
// from. Touching at::get_num_threads first runs ATen's per-thread lazy initialisation, which would otherwise overwrite
// this thread's setting at its first parallel region. Writes 0 to applied when the build has no OpenMP (the setting is
// global there), 1 otherwise.
static int set_thread_num_threads(int n) {
  TORCH_CHECK(n >= 1, "threads must be >= 1, got ", n);
#ifdef RELIC_HAVE_OPENMP
  (void)at::get_num_threads();
  omp_set_num_threads(n);
  return 1;
#else
  return 0;
#endif
}
RS_API int rs_set_thread_num_threads(int n, int* applied) { RS_TRY(*applied = set_thread_num_threads(n)); }

// Fault injection for tests: the (n+1)-th fail point this thread reaches (relic::fail_point: wrapping a result, the
// caching allocator's bookkeeping) throws std::bad_alloc once; n < 0 disables it.
RS_API int rs_debug_fail_after(int n) { RS_TRY(relic::fail_countdown = n < 0 ? -1 : n); }

// Deliberately raises a C++ exception of a type other than c10::Error, to test the boundary.
RS_API int rs_debug_throw(int kind) {
  RS_TRY(if (kind == 0) throw std::runtime_error("relic_torch test: std::runtime_error");
         if (kind == 1) TORCH_CHECK(false, "relic_torch test: c10::Error");
         throw 42;);
}
