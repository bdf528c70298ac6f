// Memory formats: libtorch's channels-last (NHWC strides for a 4-D NCHW tensor) lets oneDNN run convolutions without
// reordering their inputs, outputs and weights on every call, which is most of the cost of small CPU convolutions.
#include "rs_common.h"

namespace {
at::MemoryFormat format_of(int format) {
  TORCH_CHECK(format == 0 || format == 1, "memory format must be 0 (contiguous) or 1 (channels-last), not ", format);
  return format == 1 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
}
}  // namespace

RS_API int rs_contiguous_format(TH a, int format, TH* out) {
  RS_TRY(auto f = format_of(format);
         TORCH_CHECK(f != at::MemoryFormat::ChannelsLast || a->dim() == 4, "channels-last needs a 4-D tensor, not ", a->dim(), "-D");
         *out = relic::wrap(a->contiguous(f)));
}

RS_API int rs_is_contiguous_format(TH a, int format, int* out) {
  RS_TRY(*out = a->is_contiguous(format_of(format)) ? 1 : 0);
}
