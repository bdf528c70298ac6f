// Facts about how the shim was compiled and which BLAS pool libtorch calls into, for `relic --version` and the
// benchmarks' JSON (docs/benchmarks.md §8).
//
// Instruction set: the shim is compiled for RELIC_ARCH_NAME (CMakeLists.txt: a portable x86-64-v2 by default, or the
// build machine's CPU with RELIC_ARCH=native); its own hot loops (the augmentation kernels of rs_vision.cpp) carry AVX2
// clones chosen at load time (RELIC_DISPATCH in rs_common.h), so a portable binary still vectorises on a newer CPU.
//
// BLAS: Debian's libtorch multiplies matrices through the system BLAS (OpenBLAS with its own pthread pool, next to
// libtorch's OpenMP pool). OpenBLAS' thread count is read and set through its own entry points, found by name at run
// time so that the shim links against no particular BLAS; without OpenBLAS both calls report -1.
#include "rs_common.h"

#include <dlfcn.h>

#ifndef RELIC_ARCH_NAME
#define RELIC_ARCH_NAME "unknown"
#endif

namespace {

using GetThreads = int (*)();
using SetThreads = void (*)(int);

// The shim is loaded without RTLD_GLOBAL, so libtorch's BLAS is not in the global scope: it is looked up among the
// libraries already loaded (RTLD_NOLOAD never loads one), under the names Debian's alternatives give it.
template <typename F>
F blas_entry(const char* name) {
  if (void* f = dlsym(RTLD_DEFAULT, name)) return reinterpret_cast<F>(f);
  for (const char* library : {"libopenblas.so.0", "libblas.so.3", "libopenblasp.so.0", "libopenblaso.so.0"}) {
    void* handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) continue;
    void* f = dlsym(handle, name);
    dlclose(handle);  // drops the reference RTLD_NOLOAD took; the library stays loaded by libtorch
    if (f != nullptr) return reinterpret_cast<F>(f);
  }
  return nullptr;
}

}  // namespace

// The instruction set the shim was compiled for ("x86-64-v2", "native", ...): a static string.
RS_API const char* rs_build_arch() RS_NOEXCEPT { return RELIC_ARCH_NAME; }

// The clone of the augmentation kernels this CPU runs: "avx2" or "default" (no dispatch: "native" or "default").
RS_API const char* rs_kernel_isa() RS_NOEXCEPT {
#if defined(RELIC_HAVE_DISPATCH)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? "avx2" : "default";
#else
  return RELIC_ARCH_NAME;
#endif
}

// OpenBLAS' worker threads, or -1 when the BLAS in this process is not OpenBLAS.
RS_API int rs_blas_get_num_threads(int* out) {
  RS_TRY(auto get = blas_entry<GetThreads>("openblas_get_num_threads"); *out = get == nullptr ? -1 : get());
}

// Sets OpenBLAS' worker threads (process-wide); writes 0 to applied when the BLAS is not OpenBLAS.
RS_API int rs_blas_set_num_threads(int n, int* applied) {
  RS_TRY(TORCH_CHECK(n >= 1, "BLAS threads must be >= 1, got ", n); auto set = blas_entry<SetThreads>("openblas_set_num_threads");
         *applied = set == nullptr ? 0 : 1; if (set != nullptr) set(n));
}
