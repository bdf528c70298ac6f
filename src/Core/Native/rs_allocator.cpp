// A caching CPU allocator.
//
// A training step asks for the same tensor sizes as the step before it. glibc serves blocks above its mmap threshold
// (at most 32 MiB; one 28-px activation of a 1024-image batch is 100 MiB) with a fresh mmap and unmaps them on free, so
// without a cache every step page-faults and zero-fills, in the kernel, memory it released a moment ago. Here a freed
// block of at least `min_block` bytes is kept, keyed by its exact size, and handed back to the next request of that size;
// the blocks kept idle are bounded by a capacity (a block that would exceed it is freed), and the cache can be emptied
// between phases whose shapes differ (pre-training, then evaluation).
//
// Every block carries a 64-byte header holding its size, so the deleter needs no context besides the data pointer: the
// data pointer is the context, and libtorch's raw_allocate/raw_deallocate interface works as with the default allocator.
//
// Threads: any thread allocates and frees (intra-op workers, the loader's prefetch thread, shard workers, finalizers).
// The idle blocks, their byte count, the capacity and the counters are guarded by one mutex; min_block is atomic and
// read without it; the instance is created and installed once, under its own mutex. The deleter runs inside noexcept
// destructors, so giving a block back never throws: when the cache cannot record it, the block is freed.
#include "rs_common.h"

#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace {

constexpr size_t kHeader = 64;  // holds the size; keeps the data 64-byte aligned, as libtorch's default allocator does

struct CachingCpuAllocator final : c10::Allocator {
  mutable std::mutex mutex;
  mutable std::unordered_map<size_t, std::vector<void*>> idle;  // payload size -> blocks (base pointers)
  mutable size_t idle_bytes = 0;
  mutable int64_t hits = 0, misses = 0;
  size_t capacity = 0;
  std::atomic<size_t> min_block{size_t{1} << 20};  // read outside the lock

  c10::DataPtr allocate(size_t n) const override {
    if (n == 0) return c10::DataPtr(nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU));
    void* base = nullptr;
    if (n >= min_block) {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = idle.find(n);
      if (it != idle.end() && !it->second.empty()) {
        base = it->second.back();
        it->second.pop_back();
        idle_bytes -= n;
        ++hits;
      } else {
        ++misses;
      }
    }
    if (base == nullptr) base = fresh(n);
    void* data = static_cast<char*>(base) + kHeader;
    return c10::DataPtr(data, data, &release, c10::Device(c10::DeviceType::CPU));
  }

  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  void* fresh(size_t n) const {
    void* base = nullptr;
    if (posix_memalign(&base, kHeader, n + kHeader) != 0) {
      empty();  // the idle blocks may be what stands between this request and success
      if (posix_memalign(&base, kHeader, n + kHeader) != 0)
        TORCH_CHECK(false, "relic_torch: out of memory allocating ", n, " bytes on the CPU");
    }
    *static_cast<size_t*>(base) = n;
    return base;
  }

  void give_back(void* base) const noexcept {
    size_t n = *static_cast<size_t*>(base);
    if (n >= min_block) {
      std::lock_guard<std::mutex> lock(mutex);
      if (idle_bytes + n <= capacity) {
        try {
          relic::fail_point();
          idle[n].push_back(base);  // may allocate (a new size, a longer list)
          idle_bytes += n;
          return;
        } catch (...) {
          // The block cannot be recorded: it is freed below instead of being kept.
        }
      }
    }
    std::free(base);
  }

  void empty() const noexcept {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& entry : idle)
      for (void* base : entry.second) std::free(base);
    idle.clear();
    idle_bytes = 0;
  }

  static void release(void* data);
};

// Never destroyed: tensors still alive at exit free their blocks through it after static destructors have run.
// Written once (under install_mutex), before libtorch can hand out any block of it.
std::atomic<CachingCpuAllocator*> instance{nullptr};
std::mutex install_mutex;

void CachingCpuAllocator::release(void* data) {
  if (data == nullptr) return;
  instance.load(std::memory_order_acquire)->give_back(static_cast<char*>(data) - kHeader);
}

}  // namespace

// Installs the caching allocator as libtorch's CPU allocator (first call), or changes its capacity (later calls).
// capacity_bytes = 0 keeps no idle block (every block is freed at once); min_block_bytes is the smallest size cached.
RS_API int rs_cpu_cache_configure(int64_t capacity_bytes, int64_t min_block_bytes) {
  RS_TRY(TORCH_CHECK(capacity_bytes >= 0, "capacity_bytes must be >= 0, got ", capacity_bytes);
         TORCH_CHECK(min_block_bytes >= 1, "min_block_bytes must be >= 1, got ", min_block_bytes);
         // Two first calls at once must not create (and install) two caches.
         std::lock_guard<std::mutex> installing(install_mutex);
         CachingCpuAllocator* cache = instance.load(std::memory_order_acquire);
         bool install = cache == nullptr;
         if (install) cache = new CachingCpuAllocator();
         bool over;
         {
           std::lock_guard<std::mutex> lock(cache->mutex);
           cache->capacity = static_cast<size_t>(capacity_bytes);
           cache->min_block = static_cast<size_t>(min_block_bytes);
           over = cache->idle_bytes > cache->capacity;
         }
         if (install) {
           instance.store(cache, std::memory_order_release);
           c10::SetCPUAllocator(cache, /*priority=*/100);
         }
         if (over) cache->empty());
}

RS_API int rs_cpu_cache_stats(int64_t* hits, int64_t* misses, int64_t* idle_bytes, int64_t* capacity_bytes) {
  RS_TRY(CachingCpuAllocator* cache = instance.load(std::memory_order_acquire); if (cache == nullptr) {
    *hits = *misses = *idle_bytes = *capacity_bytes = 0;
  } else {
    std::lock_guard<std::mutex> lock(cache->mutex);
    *hits = cache->hits;
    *misses = cache->misses;
    *idle_bytes = static_cast<int64_t>(cache->idle_bytes);
    *capacity_bytes = static_cast<int64_t>(cache->capacity);
  });
}

RS_API int rs_cpu_cache_empty() { RS_TRY(CachingCpuAllocator* cache = instance.load(std::memory_order_acquire); if (cache != nullptr) cache->empty()); }
