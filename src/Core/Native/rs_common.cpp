// Errors, handle lifetime, threads and build facts.
#ifdef RELIC_HAVE_OPENMP
#include <omp.h>
#endif
#include "rs_common.h"

#include <torch/version.h>

#include <ATen/Parallel.h>
#include <ATen/Version.h>

namespace relic {
std::atomic<int64_t> live_tensors{0};
static thread_local std::string last_error;
void set_error(const char* message) { last_error = message == nullptr ? "" : message; }
}  // namespace relic

RS_API const char* rs_last_error() { return relic::last_error.c_str(); }

RS_API int64_t rs_live_tensors() { return relic::live_tensors.load(std::memory_order_relaxed); }

RS_API void rs_tensor_free(TH t) {
  if (t == nullptr) return;
  delete t;
  relic::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

RS_API const char* rs_torch_version() { return TORCH_VERSION; }

RS_API int rs_cuda_is_available() {
  try {
    return at::hasCUDA() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

RS_API int rs_cuda_device_count(int* out) { RS_TRY(*out = at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0); }

RS_API int rs_mkldnn_is_available() { return at::hasMKLDNN() ? 1 : 0; }

static thread_local std::string config_text;
RS_API int rs_build_config(const char** out) {
  RS_TRY(config_text = at::show_config() + at::get_parallel_info(); *out = config_text.c_str());
}

RS_API void rs_set_num_threads(int n) { at::set_num_threads(n); }
RS_API int rs_get_num_threads() { return at::get_num_threads(); }

// Intra-op threads of the calling thread only. ATen's OpenMP backend reads omp_get_max_threads() per thread (and so does
// oneDNN's OpenMP runtime), while at::set_num_threads also rewrites the process-wide default that every thread starts
// from. Touching at::get_num_threads first runs ATen's per-thread lazy initialisation, which would otherwise overwrite
// this thread's setting at its first parallel region. Returns 0 when the build has no OpenMP (the setting is global there).
RS_API int rs_set_thread_num_threads(int n) {
#ifdef RELIC_HAVE_OPENMP
  (void)at::get_num_threads();
  omp_set_num_threads(n);
  return 1;
#else
  (void)n;
  return 0;
#endif
}

// Deliberately raises a C++ exception of a type other than c10::Error, to test the boundary.
RS_API int rs_debug_throw(int kind) {
  RS_TRY(if (kind == 0) throw std::runtime_error("relic_torch test: std::runtime_error");
         if (kind == 1) TORCH_CHECK(false, "relic_torch test: c10::Error");
         throw 42;);
}
