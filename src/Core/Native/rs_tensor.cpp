// Tensor creation, data import/export, properties and shape operations.
#include "rs_common.h"

#include <cstring>

using relic::dims;
using relic::options;
using relic::wrap;

// ---- creation ----------------------------------------------------------------------------------

RS_API int rs_zeros(const int64_t* shape, int ndim, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::zeros(dims(shape, ndim), options(dtype, dev, idx)));
}
RS_API int rs_ones(const int64_t* shape, int ndim, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::ones(dims(shape, ndim), options(dtype, dev, idx)));
}
RS_API int rs_full(const int64_t* shape, int ndim, double value, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::full(dims(shape, ndim), value, options(dtype, dev, idx)));
}
RS_API int rs_empty(const int64_t* shape, int ndim, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::empty(dims(shape, ndim), options(dtype, dev, idx)));
}
RS_API int rs_arange(double start, double end, double step, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::arange(start, end, step, options(dtype, dev, idx)));
}
RS_API int rs_linspace(double start, double end, int64_t steps, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::linspace(start, end, steps, options(dtype, dev, idx)));
}
RS_API int rs_eye(int64_t n, int64_t m, int dtype, int dev, int idx, TH* out) {
  RS_RETURN(at::eye(n, m, options(dtype, dev, idx)));
}

// Copies `nbytes` of host memory into a new CPU tensor of the given shape and dtype.
RS_API int rs_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int dtype, TH* out) {
  RS_TRY(
      auto t = at::empty(dims(shape, ndim), at::TensorOptions().dtype(relic::scalar_type(dtype)));
      TORCH_CHECK(static_cast<int64_t>(t.nbytes()) == nbytes, "from_data: the buffer holds ", nbytes,
                  " bytes but shape ", t.sizes(), " of ", t.scalar_type(), " needs ", t.nbytes());
      if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
      *out = wrap(std::move(t)));
}

// Copies the tensor's values (row-major, on the host) into `dst`, which holds exactly `nbytes`.
RS_API int rs_copy_to_host(TH a, void* dst, int64_t nbytes) {
  RS_TRY(
      auto t = a->detach().to(at::kCPU).contiguous();
      TORCH_CHECK(static_cast<int64_t>(t.nbytes()) == nbytes, "copy_to_host: the destination holds ", nbytes,
                  " bytes but the tensor ", t.sizes(), " of ", t.scalar_type(), " has ", t.nbytes());
      if (nbytes > 0) std::memcpy(dst, t.data_ptr(), static_cast<size_t>(nbytes)));
}

// ---- properties --------------------------------------------------------------------------------

RS_API int rs_ndim(TH a, int* out) { RS_TRY(*out = static_cast<int>(a->dim())); }
RS_API int rs_sizes(TH a, int64_t* out, int capacity) {
  RS_TRY(
      TORCH_CHECK(capacity >= a->dim(), "sizes: buffer of ", capacity, " for a tensor of rank ", a->dim());
      for (int64_t i = 0; i < a->dim(); ++i) out[i] = a->size(i));
}
RS_API int rs_numel(TH a, int64_t* out) { RS_TRY(*out = a->numel()); }
RS_API int rs_dtype(TH a, int* out) { RS_TRY(*out = static_cast<int>(a->scalar_type())); }
RS_API int rs_device(TH a, int* type, int* index) {
  RS_TRY(auto d = a->device(); *type = static_cast<int>(d.type()); *index = d.has_index() ? d.index() : 0);
}
RS_API int rs_is_contiguous(TH a, int* out) { RS_TRY(*out = a->is_contiguous() ? 1 : 0); }
RS_API int rs_item_double(TH a, double* out) { RS_TRY(*out = a->item<double>()); }
RS_API int rs_item_long(TH a, int64_t* out) { RS_TRY(*out = a->item<int64_t>()); }
RS_API int rs_same_storage(TH a, TH b, int* out) {
  RS_TRY(*out = a->storage().is_alias_of(b->storage()) ? 1 : 0);
}

// ---- conversion --------------------------------------------------------------------------------

RS_API int rs_to(TH a, int dtype, int dev, int idx, int copy, TH* out) {
  RS_RETURN(a->to(options(dtype, dev, idx), /*non_blocking=*/false, copy != 0));
}
RS_API int rs_clone(TH a, TH* out) { RS_RETURN(a->clone()); }
RS_API int rs_alias(TH a, TH* out) { RS_RETURN(*a); }

// ---- shape operations --------------------------------------------------------------------------

RS_API int rs_reshape(TH a, const int64_t* shape, int n, TH* out) { RS_RETURN(a->reshape(dims(shape, n))); }
RS_API int rs_view(TH a, const int64_t* shape, int n, TH* out) { RS_RETURN(a->view(dims(shape, n))); }
RS_API int rs_permute(TH a, const int64_t* order, int n, TH* out) { RS_RETURN(a->permute(dims(order, n))); }
RS_API int rs_transpose(TH a, int64_t d0, int64_t d1, TH* out) { RS_RETURN(a->transpose(d0, d1)); }
RS_UNARY(contiguous, a->contiguous())
RS_API int rs_narrow(TH a, int64_t dim, int64_t start, int64_t length, TH* out) { RS_RETURN(a->narrow(dim, start, length)); }
RS_API int rs_slice(TH a, int64_t dim, int64_t start, int64_t end, int64_t step, TH* out) {
  RS_RETURN(a->slice(dim, start, end, step));
}
RS_API int rs_select(TH a, int64_t dim, int64_t index, TH* out) { RS_RETURN(a->select(dim, index)); }
// libtorch 1.13 writes every index's value into the one-element result of a 0-dim tensor (a heap overflow), so an index
// into a 0-dim tensor must hold exactly one value, as later PyTorch versions require.
RS_API int rs_index_select(TH a, int64_t dim, TH index, TH* out) {
  RS_TRY(TORCH_CHECK(a->dim() != 0 || index->numel() == 1, "index_select: an index into a 0-dim tensor must hold exactly one value, got ",
                     index->numel());
         *out = relic::wrap(a->index_select(dim, *index)));
}
RS_API int rs_masked_select(TH a, TH mask, TH* out) { RS_RETURN(a->masked_select(*mask)); }
RS_API int rs_masked_fill(TH a, TH mask, double value, TH* out) { RS_RETURN(a->masked_fill(*mask, value)); }
RS_API int rs_index_tensor(TH a, TH index, TH* out) {
  RS_RETURN(a->index({*index}));
}
RS_API int rs_gather(TH a, int64_t dim, TH index, TH* out) { RS_RETURN(a->gather(dim, *index)); }
RS_API int rs_scatter(TH a, int64_t dim, TH index, TH src, TH* out) { RS_RETURN(a->scatter(dim, *index, *src)); }
RS_API int rs_scatter_add(TH a, int64_t dim, TH index, TH src, TH* out) { RS_RETURN(a->scatter_add(dim, *index, *src)); }
RS_API int rs_cat(const TH* ts, int n, int64_t dim, TH* out) { RS_RETURN(at::cat(relic::tensors(ts, n), dim)); }
RS_API int rs_stack(const TH* ts, int n, int64_t dim, TH* out) { RS_RETURN(at::stack(relic::tensors(ts, n), dim)); }
RS_API int rs_expand(TH a, const int64_t* shape, int n, TH* out) { RS_RETURN(a->expand(dims(shape, n))); }
RS_API int rs_repeat(TH a, const int64_t* reps, int n, TH* out) { RS_RETURN(a->repeat(dims(reps, n))); }
RS_API int rs_flip(TH a, const int64_t* d, int n, TH* out) { RS_RETURN(a->flip(dims(d, n))); }
RS_API int rs_roll(TH a, const int64_t* shifts, int ns, const int64_t* d, int nd, TH* out) {
  RS_RETURN(a->roll(dims(shifts, ns), dims(d, nd)));
}
RS_API int rs_squeeze(TH a, int64_t dim, TH* out) { RS_RETURN(a->squeeze(dim)); }
RS_UNARY(squeeze_all, a->squeeze())
RS_API int rs_unsqueeze(TH a, int64_t dim, TH* out) { RS_RETURN(a->unsqueeze(dim)); }
RS_API int rs_flatten(TH a, int64_t start, int64_t end, TH* out) { RS_RETURN(a->flatten(start, end)); }
RS_API int rs_tril(TH a, int64_t diagonal, TH* out) { RS_RETURN(a->tril(diagonal)); }
RS_API int rs_triu(TH a, int64_t diagonal, TH* out) { RS_RETURN(a->triu(diagonal)); }
RS_API int rs_diagonal(TH a, int64_t offset, int64_t d0, int64_t d1, TH* out) { RS_RETURN(a->diagonal(offset, d0, d1)); }
RS_API int rs_diag_embed(TH a, TH* out) { RS_RETURN(at::diag_embed(*a)); }
