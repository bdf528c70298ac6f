// libtorch's autograd profiler (the legacy, CPU-only one: Debian's libtorch has no Kineto) for `relic bench step
// --profile` (docs/benchmarks.md §2.2). Every ATen operator the profiling thread runs — forward, and backward, which the
// autograd engine runs on the calling thread on the CPU — is recorded with its start and end; named ranges
// (RecordFunction with the user scope) mark the phases of a training step, so that time spent in the shim's own kernels
// or in managed code between operators is still attributed to a phase. The profiler is per thread: it records the thread
// that started it (and tasks libtorch launches from it), not the loader's prefetch thread or data-parallel shard workers.
#include "rs_common.h"

#include <ATen/record_function.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <sstream>

namespace {

namespace prof = torch::autograd::profiler;

thread_local std::vector<std::unique_ptr<at::RecordFunction>> ranges;
thread_local std::string events_text;

}  // namespace

// Starts recording this thread's operators and ranges.
RS_API int rs_profiler_start() {
  RS_TRY(prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU)));
}

// Stops recording and writes the ranges recorded as text, one per line: thread, name, start and end in microseconds,
// tab-separated (the text stays valid until this thread's next call).
RS_API int rs_profiler_stop(const char** out) {
  RS_TRY(
      ranges.clear(); auto lists = prof::disableProfilerLegacy(); std::ostringstream text; text.precision(17);
      for (const auto& list : lists) {
        std::unordered_map<at::RecordFunctionHandle, const prof::LegacyEvent*> open;
        for (const auto& event : list) {
          if (event.kind() == prof::EventKind::PushRange) {
            open[event.handle()] = &event;
          } else if (event.kind() == prof::EventKind::PopRange) {
            auto it = open.find(event.handle());
            if (it == open.end()) continue;
            const auto* start = it->second;
            text << start->threadId() << '\t' << start->name() << '\t' << start->cpuUs() << '\t' << event.cpuUs() << '\n';
            open.erase(it);
          }
        }
      } events_text = text.str();
      *out = events_text.c_str());
}

// Opens a named range on this thread (a no-op unless a profiler or another RecordFunction observer is listening).
RS_API int rs_profiler_range_push(const char* name) {
  RS_TRY(auto range = std::make_unique<at::RecordFunction>(at::RecordScope::USER_SCOPE); if (range->isActive()) range->before(std::string(name));
         ranges.push_back(std::move(range)));
}

// Closes the innermost range this thread opened.
RS_API int rs_profiler_range_pop() {
  RS_TRY(TORCH_CHECK(!ranges.empty(), "rs_profiler_range_pop: no range is open on this thread"); ranges.pop_back());
}
