// Two-dimensional discrete Fourier transforms over the last two dimensions, with complex values carried as
// (real, imaginary) pairs of real tensors, since the managed DType set has no complex types.
#include "rs_common.h"

RS_API int rs_fft_fft2(TH x, TH* out_re, TH* out_im) {
  RS_TRY(auto c = at::fft_fft2(*x); TH both[2]; relic::wrap_all({at::real(c).contiguous(), at::imag(c).contiguous()}, both);
         *out_re = both[0]; *out_im = both[1])
}

RS_API int rs_fft_ifft2(TH re, TH im, TH* out_re, TH* out_im) {
  RS_TRY(auto c = at::fft_ifft2(at::complex(*re, *im)); TH both[2];
         relic::wrap_all({at::real(c).contiguous(), at::imag(c).contiguous()}, both); *out_re = both[0]; *out_im = both[1])
}
