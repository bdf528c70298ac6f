// Data parallelism on libtorch's c10d: the TCP store (rendezvous), Gloo process groups (NCCL when the libtorch has it),
// collectives with work handles, an all-reduce that autograd differentiates (synchronised batch norm), and the gradient
// reducer that all-reduces gradient buckets from post-hooks on the parameters' gradient accumulators while backward
// is still running (docs/distributed.md).
//
// Every export follows rs_common.h (status return, message in the thread's error slot). Errors of a process group name
// the rank, the world size and the collective: "rank 1/2: all_reduce: <libtorch's or Gloo's text>".
#include "rs_common.h"

#ifdef RELIC_HAVE_C10D
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef RELIC_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#endif

RS_API int rs_dist_backends(int* gloo, int* nccl) RS_NOEXCEPT {
#ifdef RELIC_HAVE_C10D
  *gloo = 1;
#else
  *gloo = 0;
#endif
#ifdef RELIC_HAVE_NCCL
  *nccl = 1;
#else
  *nccl = 0;
#endif
  return 0;
}

#ifndef RELIC_HAVE_C10D

// Without c10d (a libtorch built without distributed support, or no Gloo headers) every constructor reports why.
RS_API int rs_store_tcp(const char*, int, int, int, int64_t, void** out) {
  *out = nullptr;
  relic::set_error("this relic_torch was built without c10d/Gloo (install Debian's libgloo-dev and rebuild)");
  return 1;
}
RS_API int rs_pg_gloo(void*, int, int, const char*, const char*, int64_t, void** out) {
  *out = nullptr;
  relic::set_error("this relic_torch was built without c10d/Gloo (install Debian's libgloo-dev and rebuild)");
  return 1;
}

#else

namespace {

using Store = c10::intrusive_ptr<c10d::Store>;

struct StoreBox {
  Store store;
};

// A process group with the facts its error messages need.
struct GroupBox {
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  int rank;
  int size;
  std::string backend;
};

// One collective per tensor (a c10d collective over several tensors means copies of one tensor on several devices).
struct WorkBox {
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  const GroupBox* group;
  std::string op;
};

std::string prefix(const GroupBox* g, const char* op) {
  return "rank " + std::to_string(g->rank) + "/" + std::to_string(g->size) + ": " + op + ": ";
}

// Runs a collective's body, re-throwing any failure with the rank and the collective's name in front.
template <typename F>
void named(const GroupBox* g, const char* op, F&& body) {
  try {
    body();
  } catch (const c10::Error& e) {
    throw std::runtime_error(prefix(g, op) + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw std::runtime_error(prefix(g, op) + e.what());
  }
}

void wait(const GroupBox* g, const char* op, const c10::intrusive_ptr<c10d::Work>& work) {
  named(g, op, [&] { work->wait(); });
}

c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case 0: return c10d::ReduceOp(c10d::ReduceOp::SUM);
    case 1: return c10d::ReduceOp(c10d::ReduceOp::MIN);
    case 2: return c10d::ReduceOp(c10d::ReduceOp::MAX);
    case 3: return c10d::ReduceOp(c10d::ReduceOp::PRODUCT);
    default: throw std::invalid_argument("unknown reduce op " + std::to_string(op) + " (allowed: 0 sum, 1 min, 2 max, 3 product)");
  }
}

// y = Σ_ranks x, whose backward is again the sum over ranks of the incoming gradients: the gradient of Σ_r L_r with
// respect to each rank's x when every rank's loss L_r depends on y.
struct AllReduceSum : public torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t group) {
    ctx->saved_data["group"] = group;
    auto* g = reinterpret_cast<GroupBox*>(group);
    std::vector<at::Tensor> ts{x.clone(at::MemoryFormat::Contiguous)};
    wait(g, "all_reduce (forward of a synchronised sum)", g->group->allreduce(ts));
    return ts[0];
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    auto* g = reinterpret_cast<GroupBox*>(ctx->saved_data["group"].toInt());
    std::vector<at::Tensor> ts{grads[0].clone(at::MemoryFormat::Contiguous)};
    wait(g, "all_reduce (backward of a synchronised sum)", g->group->allreduce(ts));
    return {ts[0], at::Tensor()};
  }
};

// ---- gradient reducer ----------------------------------------------------------------------------------------------

struct Bucket {
  std::vector<size_t> params;     // indices into Reducer::params
  int64_t numel = 0;
  at::Tensor flat;                // the bucket's all-reduce buffer
  size_t pending = 0;             // parameters of this step not yet ready
  c10::intrusive_ptr<c10d::Work> work;
};

struct Reducer {
  GroupBox* group;
  std::vector<at::Tensor> params;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive so the hooks stay on them
  std::vector<uintptr_t> hook_keys;
  std::vector<size_t> bucket_of;
  std::vector<Bucket> buckets;
  std::vector<char> ready;
  size_t next_launch = 0;
  bool armed = false;
  std::mutex mutex;
  std::string error;  // a failure inside a hook, reported by finalize

  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      auto& b = buckets[next_launch];
      int64_t offset = 0;
      for (auto i : b.params) {
        auto& p = params[i];
        auto n = p.numel();
        auto slot = b.flat.narrow(0, offset, n);
        const auto& g = p.grad();
        if (g.defined()) slot.copy_(g.reshape({n}));
        else slot.zero_();
        offset += n;
      }
      std::vector<at::Tensor> ts{b.flat};
      b.work = group->group->allreduce(ts);
      ++next_launch;
    }
  }

  void mark_ready(size_t i) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!armed || ready[i]) return;
    try {
      ready[i] = 1;
      auto& b = buckets[bucket_of[i]];
      --b.pending;
      launch_ready();
    } catch (const c10::Error& e) {
      if (error.empty()) error = prefix(group, "all_reduce (gradient bucket)") + e.what_without_backtrace();
    } catch (const std::exception& e) {
      if (error.empty()) error = prefix(group, "all_reduce (gradient bucket)") + e.what();
    }
  }
};

struct ReadyHook : public torch::autograd::FunctionPostHook {
  ReadyHook(std::weak_ptr<Reducer> reducer, size_t index) : reducer(std::move(reducer)), index(index) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) override {
    if (auto r = reducer.lock()) r->mark_ready(index);
    return outputs;
  }
  std::weak_ptr<Reducer> reducer;
  size_t index;
};

struct ReducerBox {
  std::shared_ptr<Reducer> reducer;
};

}  // namespace

// ---- store ---------------------------------------------------------------------------------------------------------

RS_API int rs_store_tcp(const char* host, int port, int world_size, int is_server, int64_t timeout_ms, void** out) {
  RS_TRY({
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = is_server != 0;
    opts.numWorkers = world_size > 0 ? c10::optional<std::size_t>(static_cast<std::size_t>(world_size)) : c10::nullopt;
    opts.waitWorkers = false;
    opts.timeout = std::chrono::milliseconds(timeout_ms);
    try {
      auto store = c10::make_intrusive<c10d::TCPStore>(std::string(host), opts);
      *out = new StoreBox{store};
    } catch (const c10::Error& e) {
      throw std::runtime_error(std::string(is_server ? "could not open the TCP store on " : "could not reach the TCP store at ") + host + ":" +
                               std::to_string(port) + " within " + std::to_string(timeout_ms) + " ms: " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(is_server ? "could not open the TCP store on " : "could not reach the TCP store at ") + host + ":" +
                               std::to_string(port) + " within " + std::to_string(timeout_ms) + " ms: " + e.what());
    }
  });
}

RS_API int rs_store_prefix(const char* name, void* base, void** out) {
  RS_TRY(*out = new StoreBox{c10::make_intrusive<c10d::PrefixStore>(std::string(name), static_cast<StoreBox*>(base)->store)});
}

// The *_free exports have no status: they only run destructors, which are noexcept.
static_assert(std::is_nothrow_destructible<StoreBox>::value && std::is_nothrow_destructible<GroupBox>::value &&
                  std::is_nothrow_destructible<WorkBox>::value && std::is_nothrow_destructible<ReducerBox>::value,
              "the *_free exports rely on noexcept destructors");
RS_API void rs_store_free(void* store) RS_NOEXCEPT { delete static_cast<StoreBox*>(store); }

RS_API int rs_store_set(void* store, const char* key, const uint8_t* data, int64_t n) {
  RS_TRY(static_cast<StoreBox*>(store)->store->set(std::string(key), std::vector<uint8_t>(data, data + n)));
}

// Waits (up to the store's timeout) for the key; copies at most capacity bytes into buffer and writes the full length.
RS_API int rs_store_get(void* store, const char* key, uint8_t* buffer, int64_t capacity, int64_t* length) {
  RS_TRY({
    auto value = static_cast<StoreBox*>(store)->store->get(std::string(key));
    *length = static_cast<int64_t>(value.size());
    if (buffer != nullptr && capacity > 0) std::memcpy(buffer, value.data(), static_cast<size_t>(std::min<int64_t>(capacity, *length)));
  });
}

RS_API int rs_store_add(void* store, const char* key, int64_t value, int64_t* out) {
  RS_TRY(*out = static_cast<StoreBox*>(store)->store->add(std::string(key), value));
}

RS_API int rs_store_set_timeout(void* store, int64_t timeout_ms) {
  RS_TRY(static_cast<StoreBox*>(store)->store->setTimeout(std::chrono::milliseconds(timeout_ms)));
}

// ---- process groups ------------------------------------------------------------------------------------------------

// A Gloo group over the store: its device binds the network interface `iface` when given, else the address of
// `hostname` when given, else this machine's host name (loopback when that does not resolve).
RS_API int rs_pg_gloo(void* store, int rank, int size, const char* hostname, const char* iface, int64_t timeout_ms, void** out) {
  RS_TRY({
    auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
    if (iface != nullptr && *iface != 0) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
    else if (hostname != nullptr && *hostname != 0) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
    else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    opts->threads = 2;
    auto box = std::make_unique<GroupBox>(GroupBox{{}, rank, size, "gloo"});
    named(box.get(), "joining the Gloo group", [&] {
      box->group = c10::make_intrusive<c10d::ProcessGroupGloo>(static_cast<StoreBox*>(store)->store, rank, size, opts);
    });
    *out = box.release();
  });
}

#ifdef RELIC_HAVE_NCCL
RS_API int rs_pg_nccl(void* store, int rank, int size, int64_t timeout_ms, void** out) {
  RS_TRY({
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = std::chrono::milliseconds(timeout_ms);
    auto box = std::make_unique<GroupBox>(GroupBox{{}, rank, size, "nccl"});
    named(box.get(), "joining the NCCL group", [&] {
      box->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(static_cast<StoreBox*>(store)->store, rank, size, opts);
    });
    *out = box.release();
  });
}
#else
RS_API int rs_pg_nccl(void*, int, int, int64_t, void** out) {
  *out = nullptr;
  relic::set_error("this relic_torch was built against a libtorch without NCCL (a CPU libtorch); use the gloo backend");
  return 1;
}
#endif

RS_API void rs_pg_free(void* group) RS_NOEXCEPT { delete static_cast<GroupBox*>(group); }

RS_API int rs_pg_allreduce(void* group, const TH* tensors, int n, int op, void** work) {
  RS_TRY({
    auto* g = static_cast<GroupBox*>(group);
    named(g, "all_reduce", [&] {
      c10d::AllreduceOptions opts;
      opts.reduceOp = reduce_op(op);
      auto box = std::make_unique<WorkBox>(WorkBox{{}, g, "all_reduce"});
      for (int i = 0; i < n; ++i) {
        std::vector<at::Tensor> one{*tensors[i]};
        box->works.push_back(g->group->allreduce(one, opts));
      }
      *work = box.release();
    });
  });
}

RS_API int rs_pg_broadcast(void* group, const TH* tensors, int n, int root, void** work) {
  RS_TRY({
    auto* g = static_cast<GroupBox*>(group);
    named(g, "broadcast", [&] {
      TORCH_CHECK(root >= 0 && root < g->size, "root ", root, " is outside [0, ", g->size, ")");
      c10d::BroadcastOptions opts;
      opts.rootRank = root;
      auto box = std::make_unique<WorkBox>(WorkBox{{}, g, "broadcast"});
      for (int i = 0; i < n; ++i) {
        std::vector<at::Tensor> one{*tensors[i]};
        box->works.push_back(g->group->broadcast(one, opts));
      }
      *work = box.release();
    });
  });
}

// Every rank's `input` (equal shapes) concatenated along dimension 0 in rank order; waits for completion.
RS_API int rs_pg_allgather(void* group, TH input, TH* out) {
  RS_TRY({
    auto* g = static_cast<GroupBox*>(group);
    named(g, "all_gather", [&] {
      auto x = input->contiguous();
      std::vector<std::vector<at::Tensor>> outputs(1);
      for (int r = 0; r < g->size; ++r) outputs[0].push_back(at::empty_like(x));
      std::vector<at::Tensor> inputs{x};
      g->group->allgather(outputs, inputs)->wait();
      *out = relic::wrap(at::cat(outputs[0], 0));
    });
  });
}

RS_API int rs_pg_barrier(void* group) {
  RS_TRY({
    auto* g = static_cast<GroupBox*>(group);
    named(g, "barrier", [&] { g->group->barrier()->wait(); });
  });
}

RS_API int rs_work_wait(void* work) {
  RS_TRY({
    auto* w = static_cast<WorkBox*>(work);
    for (auto& each : w->works) wait(w->group, w->op.c_str(), each);
  });
}

RS_API int rs_work_is_completed(void* work, int* out) {
  RS_TRY({
    auto* w = static_cast<WorkBox*>(work);
    *out = 1;
    for (auto& each : w->works)
      if (!each->isCompleted()) *out = 0;
  });
}

RS_API void rs_work_free(void* work) RS_NOEXCEPT { delete static_cast<WorkBox*>(work); }

RS_API int rs_pg_all_reduce_sum_autograd(void* group, TH x, TH* out) {
  RS_RETURN(AllReduceSum::apply(*x, reinterpret_cast<int64_t>(group)));
}

// ---- gradient reducer ----------------------------------------------------------------------------------------------

// Buckets the parameters in reverse order (the order backward produces their gradients): a first bucket of at most
// first_bucket_bytes, then buckets of at most bucket_bytes (a parameter larger than a bucket gets one of its own).
// Post-hooks on each parameter's gradient accumulator mark it ready between rs_reducer_prepare and rs_reducer_finalize;
// a bucket whose parameters are all ready is copied into its buffer and all-reduced asynchronously, in bucket order.
RS_API int rs_reducer_new(void* group, const TH* params, int n, int64_t first_bucket_bytes, int64_t bucket_bytes, void** out) {
  RS_TRY({
    TORCH_CHECK(n > 0, "a gradient reducer needs at least one parameter");
    auto r = std::make_shared<Reducer>();
    r->group = static_cast<GroupBox*>(group);
    r->params = relic::tensors(params, n);
    r->bucket_of.assign(static_cast<size_t>(n), 0);
    r->ready.assign(static_cast<size_t>(n), 0);
    const auto dtype = r->params[0].scalar_type();
    int64_t limit = first_bucket_bytes, bytes = 0;
    for (int i = n - 1; i >= 0; --i) {
      auto& p = r->params[static_cast<size_t>(i)];
      TORCH_CHECK(p.requires_grad(), "parameter ", i, " does not require gradients");
      TORCH_CHECK(p.is_leaf(), "parameter ", i, " is not a leaf tensor");
      TORCH_CHECK(p.scalar_type() == dtype, "parameter ", i, " is ", p.scalar_type(), " but parameter 0 is ", dtype,
                  " (a reducer all-reduces one dtype)");
      const int64_t size = p.numel() * static_cast<int64_t>(p.element_size());
      if (r->buckets.empty() || (bytes > 0 && bytes + size > limit)) {
        if (!r->buckets.empty()) limit = bucket_bytes;
        r->buckets.emplace_back();
        bytes = 0;
      }
      auto& b = r->buckets.back();
      b.params.push_back(static_cast<size_t>(i));
      b.numel += p.numel();
      bytes += size;
      r->bucket_of[static_cast<size_t>(i)] = r->buckets.size() - 1;
    }
    for (auto& b : r->buckets) b.flat = at::empty({b.numel}, r->params[0].options().requires_grad(false));
    std::weak_ptr<Reducer> weak = r;
    for (int i = 0; i < n; ++i) {
      auto acc = torch::autograd::impl::grad_accumulator(r->params[static_cast<size_t>(i)]);
      TORCH_CHECK(acc != nullptr, "parameter ", i, " has no gradient accumulator");
      r->hook_keys.push_back(acc->add_post_hook(std::make_unique<ReadyHook>(weak, static_cast<size_t>(i))));
      r->accumulators.push_back(std::move(acc));
    }
    *out = new ReducerBox{r};
  });
}

RS_API int rs_reducer_bucket_count(void* reducer, int* out) { RS_TRY(*out = static_cast<int>(static_cast<ReducerBox*>(reducer)->reducer->buckets.size())); }

// Parameter indices of bucket `b` into out (capacity n), their count into count.
RS_API int rs_reducer_bucket(void* reducer, int b, int* out, int capacity, int* count) {
  RS_TRY({
    auto& r = *static_cast<ReducerBox*>(reducer)->reducer;
    TORCH_CHECK(b >= 0 && b < static_cast<int>(r.buckets.size()), "bucket ", b, " is outside [0, ", r.buckets.size(), ")");
    const auto& ps = r.buckets[static_cast<size_t>(b)].params;
    *count = static_cast<int>(ps.size());
    for (size_t i = 0; i < ps.size() && static_cast<int>(i) < capacity; ++i) out[i] = static_cast<int>(ps[i]);
  });
}

// Arms the hooks for one backward pass.
RS_API int rs_reducer_prepare(void* reducer) {
  RS_TRY({
    auto& r = *static_cast<ReducerBox*>(reducer)->reducer;
    std::lock_guard<std::mutex> lock(r.mutex);
    for (auto& b : r.buckets) {
      b.pending = b.params.size();
      b.work.reset();
    }
    std::fill(r.ready.begin(), r.ready.end(), 0);
    r.next_launch = 0;
    r.error.clear();
    r.armed = true;
  });
}

// Launches what backward left (parameters without a gradient count as zeros), waits for every bucket, and writes the
// mean over ranks into each parameter's gradient. Writes the seconds spent waiting here (communication backward did
// not hide), the bytes all-reduced and the number of buckets launched by the hooks during backward.
RS_API int rs_reducer_finalize(void* reducer, double* wait_seconds, int64_t* bytes, int* launched_in_backward) {
  RS_TRY({
    auto& r = *static_cast<ReducerBox*>(reducer)->reducer;
    std::lock_guard<std::mutex> lock(r.mutex);
    TORCH_CHECK(r.armed, "finalize without prepare");
    r.armed = false;
    if (!r.error.empty()) throw std::runtime_error(r.error);
    *launched_in_backward = static_cast<int>(r.next_launch);
    for (auto& b : r.buckets) b.pending = 0;
    named(r.group, "all_reduce (gradient bucket)", [&] { r.launch_ready(); });
    const auto start = std::chrono::steady_clock::now();
    int64_t total = 0;
    for (auto& b : r.buckets) {
      wait(r.group, "all_reduce (gradient bucket)", b.work);
      b.work.reset();
      total += b.numel * static_cast<int64_t>(b.flat.element_size());
    }
    *wait_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    *bytes = total;
    at::NoGradGuard no_grad;
    const double scale = 1.0 / static_cast<double>(r.group->size);
    for (auto& b : r.buckets) {
      b.flat.mul_(scale);
      int64_t offset = 0;
      for (auto i : b.params) {
        auto& p = r.params[i];
        auto n = p.numel();
        auto mean = b.flat.narrow(0, offset, n).view(p.sizes());
        if (p.grad().defined()) p.mutable_grad().copy_(mean);
        else p.mutable_grad() = mean.clone();
        offset += n;
      }
    }
  });
}

RS_API void rs_reducer_free(void* reducer) RS_NOEXCEPT {
  auto* box = static_cast<ReducerBox*>(reducer);
  if (box == nullptr) return;
  try {
    auto& r = *box->reducer;
    for (size_t i = 0; i < r.accumulators.size(); ++i) r.accumulators[i]->del_post_hook(r.hook_keys[i]);
  } catch (...) {
  }
  delete box;
}

#endif
