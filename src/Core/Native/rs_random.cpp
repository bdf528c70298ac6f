// Seeded generators and the random factories that take them.
#include "rs_common.h"

#include <ATen/CPUGeneratorImpl.h>

#include <type_traits>

using relic::dims;
using relic::options;

static c10::optional<at::Generator> gen(GH g) {
  return g == nullptr ? c10::optional<at::Generator>() : c10::optional<at::Generator>(*g);
}

RS_API int rs_generator_new(uint64_t seed, GH* out) {
  RS_TRY(*out = new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed)));
}
static_assert(std::is_nothrow_destructible<at::Generator>::value, "rs_generator_free relies on a noexcept destructor");
RS_API void rs_generator_free(GH g) RS_NOEXCEPT { delete g; }
RS_API int rs_generator_seed(GH g, uint64_t seed) { RS_TRY(std::lock_guard<std::mutex> lock(g->mutex()); g->set_current_seed(seed)); }
RS_API int rs_generator_get_state(GH g, TH* out) { RS_TRY(std::lock_guard<std::mutex> lock(g->mutex()); *out = relic::wrap(g->get_state())); }
RS_API int rs_generator_set_state(GH g, TH state) { RS_TRY(std::lock_guard<std::mutex> lock(g->mutex()); g->set_state(*state)); }
RS_API int rs_manual_seed(uint64_t seed) { RS_TRY(at::manual_seed(seed)); }

RS_API int rs_rand(const int64_t* shape, int n, GH g, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::rand(dims(shape, n), gen(g), options(dtype, dev, idx)));
}
RS_API int rs_randn(const int64_t* shape, int n, GH g, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::randn(dims(shape, n), gen(g), options(dtype, dev, idx)));
}
RS_API int rs_randint(int64_t low, int64_t high, const int64_t* shape, int n, GH g, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::randint(low, high, dims(shape, n), gen(g), options(dtype, dev, idx)));
}
RS_API int rs_randperm(int64_t n, GH g, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::randperm(n, gen(g), options(dtype, dev, idx)));
}
RS_API int rs_bernoulli(TH probs, GH g, TH* out) { RS_RETURN(at::bernoulli(*probs, gen(g))); }
RS_API int rs_multinomial(TH probs, int64_t samples, int replacement, GH g, TH* out) {
  RS_RETURN(at::multinomial(*probs, samples, replacement != 0, gen(g)));
}
RS_API int rs_uniform_(TH a, double lo, double hi, GH g) { RS_TRY(a->uniform_(lo, hi, gen(g))); }
RS_API int rs_normal_(TH a, double mean, double std, GH g) { RS_TRY(a->normal_(mean, std, gen(g))); }
