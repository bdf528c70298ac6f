// Fused per-pixel kernels of the augmentation pipeline (ReLICv2.Vision), for ops whose composed tensor form
// costs dozens of full-size passes. Each follows the float32 arithmetic of the torchvision 0.14 op it mirrors.
#include "rs_common.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

inline float clamp01(float x) { return std::min(std::max(x, 0.0f), 1.0f); }

// torch.remainder for floats: the result takes the divisor's sign.
inline float remainder1(float a) {
  float m = std::fmod(a, 1.0f);
  if (m != 0.0f && m < 0.0f) m += 1.0f;
  return m;
}

// One RGB pixel's hue shift (the body of adjust_hue), in place.
inline void hue_pixel(float& r, float& g, float& b, float shift) {
  const float maxc = std::max(r, std::max(g, b));
  const float minc = std::min(r, std::min(g, b));
  const bool eqc = maxc == minc;
  const float cr = maxc - minc;
  const float s = cr / (eqc ? 1.0f : maxc);
  const float divisor = eqc ? 1.0f : cr;
  const float rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor;
  float h;
  if (maxc == r) h = bc - gc;
  else if (maxc == g) h = 2.0f + rc - bc;
  else h = 4.0f + gc - rc;
  h = std::fmod(h / 6.0f + 1.0f, 1.0f);
  h = remainder1(h + shift);
  const float v = maxc;
  const float i = std::floor(h * 6.0f);
  const float fr = h * 6.0f - i;
  const int sector = static_cast<int>(i) % 6;
  const float p = clamp01(v * (1.0f - s));
  const float q = clamp01(v * (1.0f - s * fr));
  const float t = clamp01(v * (1.0f - s * (1.0f - fr)));
  switch (sector) {
    case 0: r = v; g = t; b = p; break;
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = t; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = t; g = p; b = v; break;
    default: r = v; g = p; b = q; break;
  }
}

// Pixels [begin, end) of a batch of planes of `plane` pixels: each shifted by its image's factor.
RELIC_DISPATCH void hue_pixels(const float* src, float* dst, const float* fac, int64_t plane, int64_t begin, int64_t end) {
  for (int64_t k = begin; k < end; ++k) {
    const int64_t img = k / plane;
    const int64_t offset = img * 3 * plane + (k - img * plane);
    float r = src[offset], g = src[offset + plane], b = src[offset + 2 * plane];
    hue_pixel(r, g, b, fac[img]);
    dst[offset] = r;
    dst[offset + plane] = g;
    dst[offset + 2 * plane] = b;
  }
}

// adjust_hue with a per-image shift: torchvision's _rgb2hsv, H <- (H + f) mod 1, _hsv2rgb, pixel by pixel.
at::Tensor adjust_hue(const at::Tensor& images, const at::Tensor& factors) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "adjust_hue: images must be [N, 3, H, W], got ", images.sizes());
  TORCH_CHECK(images.scalar_type() == at::kFloat, "adjust_hue: images must be Float32, got ", images.scalar_type());
  TORCH_CHECK(images.device().is_cpu(), "adjust_hue: the fused kernel runs on the CPU");
  auto x = images.contiguous();
  auto f = factors.to(at::kFloat).contiguous();
  TORCH_CHECK(f.dim() == 1 && f.size(0) == x.size(0), "adjust_hue: factors must be [N] = [", x.size(0), "], got ", f.sizes());
  auto out = at::empty_like(x);
  const int64_t plane = x.size(2) * x.size(3);
  const int64_t total = x.size(0) * plane;
  const float* src = x.data_ptr<float>();
  const float* fac = f.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, total, relic::grain_for(3), [&](int64_t begin, int64_t end) { hue_pixels(src, dst, fac, plane, begin, end); });
  return out;
}

inline float luma(float r, float g, float b) { return 0.2989f * r + 0.587f * g + 0.114f * b; }

// One image's jitter: the enabled ops of its order, with its factors (rows of [N, 4]).
RELIC_DISPATCH void jitter_image(float* x, int64_t c, int64_t plane, const int64_t* ord, const float* fac, int64_t enabled) {
  for (int position = 0; position < 4; ++position) {
    const int64_t op = ord[position];
    if (!(enabled & (int64_t(1) << op))) continue;
    const float factor = fac[op];
    const float rest = static_cast<float>(1.0 - static_cast<double>(factor));
    if (op == 0) {
      for (int64_t k = 0; k < c * plane; ++k) x[k] = clamp01(factor * x[k]);
    } else if (op == 1) {
      double sum = 0;
      if (c == 3)
        for (int64_t k = 0; k < plane; ++k) sum += luma(x[k], x[k + plane], x[k + 2 * plane]);
      else
        for (int64_t k = 0; k < plane; ++k) sum += x[k];
      const float mean = static_cast<float>(sum / static_cast<double>(plane));
      const float offset = rest * mean;
      for (int64_t k = 0; k < c * plane; ++k) x[k] = clamp01(factor * x[k] + offset);
    } else if (op == 2) {
      if (c == 1) continue;
      for (int64_t k = 0; k < plane; ++k) {
        const float grey = rest * luma(x[k], x[k + plane], x[k + 2 * plane]);
        x[k] = clamp01(factor * x[k] + grey);
        x[k + plane] = clamp01(factor * x[k + plane] + grey);
        x[k + 2 * plane] = clamp01(factor * x[k + 2 * plane] + grey);
      }
    } else {
      if (c == 1) continue;
      for (int64_t k = 0; k < plane; ++k) hue_pixel(x[k], x[k + plane], x[k + 2 * plane], factor);
    }
  }
}

// ColorJitter with the randomness as data: per image, when applied, the enabled ops run in the image's order
// (0 brightness, 1 contrast, 2 saturation, 3 hue) with its factors [N, 4]; each op is torchvision's float formula,
// clipped to [0, 1]. Images are independent (chunks of whole images), each op one pass over that image (cache-resident).
at::Tensor color_jitter(const at::Tensor& images, const at::Tensor& order, const at::Tensor& applied, const at::Tensor& factors, int64_t enabled, bool inplace) {
  TORCH_CHECK(images.dim() == 4 && (images.size(1) == 1 || images.size(1) == 3), "color_jitter: images must be [N, 1 or 3, H, W], got ", images.sizes());
  TORCH_CHECK(images.scalar_type() == at::kFloat, "color_jitter: images must be Float32, got ", images.scalar_type());
  TORCH_CHECK(images.device().is_cpu(), "color_jitter: the fused kernel runs on the CPU");
  const int64_t n = images.size(0), c = images.size(1), plane = images.size(2) * images.size(3);
  auto o = order.to(at::kLong).contiguous();
  auto a = applied.to(at::kByte).contiguous();
  auto f = factors.to(at::kFloat).contiguous();
  TORCH_CHECK(o.dim() == 2 && o.size(0) == n && o.size(1) == 4, "color_jitter: order must be [N, 4], got ", o.sizes());
  TORCH_CHECK(a.dim() == 1 && a.size(0) == n, "color_jitter: applied must be [N], got ", a.sizes());
  TORCH_CHECK(f.dim() == 2 && f.size(0) == n && f.size(1) == 4, "color_jitter: factors must be [N, 4], got ", f.sizes());
  TORCH_CHECK(!inplace || images.is_contiguous(), "color_jitter: in-place needs contiguous images");
  const int64_t* ord = o.data_ptr<int64_t>();
  const uint8_t* gate = a.data_ptr<uint8_t>();
  // Every check comes before the first write: an in-place call that fails leaves the images as they were.
  for (int64_t img = 0; img < n; ++img) {
    if (!gate[img]) continue;
    for (int position = 0; position < 4; ++position) {
      const int64_t op = ord[img * 4 + position];
      TORCH_CHECK(op >= 0 && op < 4, "color_jitter: order values must be 0..3, got ", op, " in row ", img);
    }
  }
  auto out = inplace ? images : images.contiguous().clone();
  float* data = out.data_ptr<float>();
  const float* fac = f.data_ptr<float>();
  // Nothing inside the parallel loop may throw (a throw there would leave some images done and others not).
  at::parallel_for(0, n, relic::grain_for(c * plane), [&](int64_t begin, int64_t end) {
    for (int64_t img = begin; img < end; ++img) {
      if (!gate[img]) continue;
      jitter_image(data + img * c * plane, c, plane, ord + img * 4, fac + img * 4, enabled);
    }
  });
  return out;
}


// Sampling taps of one output coordinate along one axis: source indices (absolute) and weights.
struct Taps {
  int64_t index[4];
  float weight[4];
  int count;
};

inline float cubic1(float x, float a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
inline float cubic2(float x, float a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

// Taps of PyTorch's upsample (align_corners=False, no antialias) resizing the crop [start, start+extent) of an axis to
// out_size samples, indices clamped to the crop as in crop-then-resize. Bilinear: 2 taps, source index clamped at 0;
// bicubic: Keys a = -0.75, 4 taps.
std::vector<Taps> axis_taps(int64_t start, int64_t extent, int64_t out_size, bool cubic) {
  std::vector<Taps> taps(static_cast<size_t>(out_size));
  const float scale = static_cast<float>(extent) / static_cast<float>(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    Taps& t = taps[static_cast<size_t>(o)];
    float real = scale * (static_cast<float>(o) + 0.5f) - 0.5f;
    if (cubic) {
      const float in = std::floor(real);
      const float x1 = real - in;
      const float a = -0.75f;
      t.weight[0] = cubic2(x1 + 1.0f, a);
      t.weight[1] = cubic1(x1, a);
      const float x2 = 1.0f - x1;
      t.weight[2] = cubic1(x2, a);
      t.weight[3] = cubic2(x2 + 1.0f, a);
      for (int k = 0; k < 4; ++k)
        t.index[k] = start + std::min(std::max(static_cast<int64_t>(in) - 1 + k, int64_t(0)), extent - 1);
      t.count = 4;
    } else {
      if (real < 0) real = 0;
      const int64_t i0 = std::min(static_cast<int64_t>(real), extent - 1);
      const float lambda = std::min(std::max(real - static_cast<float>(i0), 0.0f), 1.0f);
      t.index[0] = start + i0;
      t.index[1] = start + i0 + (i0 < extent - 1 ? 1 : 0);
      t.weight[0] = 1.0f - lambda;
      t.weight[1] = lambda;
      t.count = 2;
    }
  }
  return taps;
}

// One plane's crop box (top, left, height, width) resized to out_h x out_w, mirrored when asked; rows and line are the
// caller's scratch buffers.
RELIC_DISPATCH void resize_plane(const float* in, float* o_plane, int64_t w, const int64_t* box, int64_t out_h, int64_t out_w, bool cubic,
                                 bool mirror, std::vector<float>& rows, std::vector<float>& line) {
  const int64_t top = box[0], left = box[1], bh = box[2], bw = box[3];
  const auto tx = axis_taps(left, bw, out_w, cubic);
  const auto ty = axis_taps(top, bh, out_h, cubic);
  rows.assign(static_cast<size_t>(bh * out_w), 0.0f);
  for (int64_t y = 0; y < bh; ++y) {
    const float* source = in + (top + y) * w;
    float* r = rows.data() + y * out_w;
    for (int64_t o = 0; o < out_w; ++o) {
      const Taps& t = tx[static_cast<size_t>(o)];
      float v = source[t.index[0]] * t.weight[0];
      for (int k = 1; k < t.count; ++k) v += source[t.index[k]] * t.weight[k];
      r[o] = v;
    }
  }
  line.resize(static_cast<size_t>(out_w));
  for (int64_t oy = 0; oy < out_h; ++oy) {
    const Taps& t = ty[static_cast<size_t>(oy)];
    // Tap by tap over a whole output line (contiguous, vectorisable); per element the sum runs in tap order.
    const float* r0 = rows.data() + (t.index[0] - top) * out_w;
    for (int64_t o = 0; o < out_w; ++o) line[static_cast<size_t>(o)] = r0[o] * t.weight[0];
    for (int k = 1; k < t.count; ++k) {
      const float* rk = rows.data() + (t.index[k] - top) * out_w;
      const float wk = t.weight[k];
      for (int64_t o = 0; o < out_w; ++o) line[static_cast<size_t>(o)] += rk[o] * wk;
    }
    float* o_line = o_plane + oy * out_w;
    if (mirror)
      for (int64_t o = 0; o < out_w; ++o) o_line[out_w - 1 - o] = clamp01(line[static_cast<size_t>(o)]);
    else
      for (int64_t o = 0; o < out_w; ++o) o_line[o] = clamp01(line[static_cast<size_t>(o)]);
  }
}

// Per-image crop (boxes [N, 4] = top, left, height, width) resized to out_h x out_w as torchvision's tensor
// resized_crop (crop, then resize with antialias=False): separable, x then y, as PyTorch's upsample kernels; an
// optional per-image flip mirrors the output columns; the result is clamped to [0, 1]. One task per image plane.
at::Tensor resized_crop(const at::Tensor& images, const at::Tensor& boxes, int64_t out_h, int64_t out_w, int64_t mode, const at::Tensor* flip) {
  TORCH_CHECK(images.dim() == 4, "resized_crop: images must be [N, C, H, W], got ", images.sizes());
  TORCH_CHECK(images.scalar_type() == at::kFloat, "resized_crop: images must be Float32, got ", images.scalar_type());
  TORCH_CHECK(images.device().is_cpu(), "resized_crop: the fused kernel runs on the CPU");
  TORCH_CHECK(mode == 1 || mode == 2, "resized_crop: mode must be 1 (bilinear) or 2 (bicubic), got ", mode);
  TORCH_CHECK(out_h > 0 && out_w > 0, "resized_crop: output size must be positive, got ", out_h, "x", out_w);
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  auto b = boxes.to(at::kLong).contiguous();
  TORCH_CHECK(b.dim() == 2 && b.size(0) == n && b.size(1) == 4, "resized_crop: boxes must be [N, 4], got ", b.sizes());
  at::Tensor f;
  if (flip != nullptr) {
    f = flip->to(at::kByte).contiguous();
    TORCH_CHECK(f.dim() == 1 && f.size(0) == n, "resized_crop: flip must be [N], got ", f.sizes());
  }
  const int64_t* box = b.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = box[4 * i], left = box[4 * i + 1], bh = box[4 * i + 2], bw = box[4 * i + 3];
    TORCH_CHECK(bh > 0 && bw > 0 && top >= 0 && left >= 0 && top + bh <= h && left + bw <= w,
                "resized_crop: box ", i, " (top ", top, ", left ", left, ", ", bh, "x", bw, ") must lie inside the ", h, "x", w, " image");
  }
  auto x = images.contiguous();
  auto out = at::empty({n, c, out_h, out_w}, x.options());
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  const uint8_t* flips = flip != nullptr ? f.data_ptr<uint8_t>() : nullptr;
  const bool cubic = mode == 2;
  at::parallel_for(0, n * c, relic::grain_for(std::max(h * w, out_h * out_w)), [&](int64_t begin, int64_t end) {
    std::vector<float> rows, line;
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t img = plane / c;
      resize_plane(src + plane * h * w, dst + plane * out_h * out_w, w, box + 4 * img, out_h, out_w, cubic, flips != nullptr && flips[img] != 0, rows, line);
    }
  });
  return out;
}


inline int64_t reflect(int64_t i, int64_t n) { return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i); }

void check_cpu_float(const at::Tensor& images, const char* name) {
  TORCH_CHECK(images.dim() == 4, name, ": images must be [N, C, H, W], got ", images.sizes());
  TORCH_CHECK(images.scalar_type() == at::kFloat, name, ": images must be Float32, got ", images.scalar_type());
  TORCH_CHECK(images.device().is_cpu(), name, ": the fused kernel runs on the CPU");
}

at::Tensor flags_of(const at::Tensor& flags, int64_t n, const char* name) {
  auto f = flags.to(at::kByte).contiguous();
  TORCH_CHECK(f.dim() == 1 && f.size(0) == n, name, ": flags must be [N] = [", n, "], got ", f.sizes());
  return f;
}

// One plane blurred with the 1-D taps t (size odd, half = size / 2): rows then columns, reflect padding; rows is the
// caller's h x w scratch buffer.
RELIC_DISPATCH void blur_plane(const float* in, float* o, int64_t h, int64_t w, const float* t, int64_t size, std::vector<float>& rows) {
  const int64_t half = size / 2;
  for (int64_t y = 0; y < h; ++y) {
    const float* line = in + y * w;
    float* r = rows.data() + y * w;
    // Borders with reflected indices; the interior tap by tap over contiguous pixels (vectorisable).
    auto border = [&](int64_t xo) {
      float v = 0;
      for (int64_t j = 0; j < size; ++j) v += line[reflect(xo - half + j, w)] * t[j];
      r[xo] = v;
    };
    for (int64_t xo = 0; xo < std::min(half, w); ++xo) border(xo);
    for (int64_t xo = std::max(half, w - half); xo < w; ++xo) border(xo);
    for (int64_t xo = half; xo < w - half; ++xo) r[xo] = 0;
    for (int64_t j = 0; j < size; ++j) {
      const float* shifted = line - half + j;
      const float tj = t[j];
      for (int64_t xo = half; xo < w - half; ++xo) r[xo] += shifted[xo] * tj;
    }
  }
  for (int64_t y = 0; y < h; ++y) {
    float* line = o + y * w;
    for (int64_t xo = 0; xo < w; ++xo) line[xo] = 0;
    for (int64_t j = 0; j < size; ++j) {
      const float* r = rows.data() + reflect(y - half + j, h) * w;
      const float tj = t[j];
      for (int64_t xo = 0; xo < w; ++xo) line[xo] += r[xo] * tj;
    }
    for (int64_t xo = 0; xo < w; ++xo) line[xo] = clamp01(line[xo]);
  }
}

// Gaussian blur of the flagged images with their own normalised 1-D taps [N, k] (k odd, k/2 < H, W): reflect padding,
// rows then columns (torchvision convolves with the outer product of the same taps), clamped to [0, 1].
at::Tensor gaussian_blur(const at::Tensor& images, const at::Tensor& taps, const at::Tensor& flags, bool inplace) {
  check_cpu_float(images, "gaussian_blur");
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  auto k = taps.to(at::kFloat).contiguous();
  TORCH_CHECK(k.dim() == 2 && k.size(0) == n && k.size(1) % 2 == 1, "gaussian_blur: taps must be [N, odd k], got ", k.sizes());
  const int64_t size = k.size(1), half = size / 2;
  TORCH_CHECK(half < h && half < w, "gaussian_blur: kernel size ", size, " needs kernel/2 < the image size ", h, "x", w);
  auto f = flags_of(flags, n, "gaussian_blur");
  auto x = images.contiguous();
  TORCH_CHECK(!inplace || images.is_contiguous(), "gaussian_blur: in-place needs contiguous images");
  auto out = inplace ? x : at::empty_like(x);
  const float* src = x.data_ptr<float>();
  const float* kt = k.data_ptr<float>();
  const uint8_t* fl = f.data_ptr<uint8_t>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, n * c, relic::grain_for(h * w), [&](int64_t begin, int64_t end) {
    std::vector<float> rows(static_cast<size_t>(h * w));
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t img = plane / c;
      const float* in = src + plane * h * w;
      float* o = dst + plane * h * w;
      if (!fl[img]) {
        if (in != o) std::copy(in, in + h * w, o);
        continue;
      }
      blur_plane(in, o, h, w, kt + img * size, size, rows);
    }
  });
  return out;
}

// One image of `per` floats solarized at th.
RELIC_DISPATCH void solarize_image(const float* in, float* o, int64_t per, float th) {
  for (int64_t i = 0; i < per; ++i) o[i] = in[i] >= th ? 1.0f - in[i] : in[i];
}

// Solarize (x >= threshold -> 1 - x) of the flagged images, one pass.
at::Tensor solarize(const at::Tensor& images, double threshold, const at::Tensor& flags, bool inplace) {
  check_cpu_float(images, "solarize");
  const int64_t n = images.size(0), per = images.numel() / std::max<int64_t>(n, 1);
  auto f = flags_of(flags, n, "solarize");
  auto x = images.contiguous();
  TORCH_CHECK(!inplace || images.is_contiguous(), "solarize: in-place needs contiguous images");
  auto out = inplace ? x : at::empty_like(x);
  const float* src = x.data_ptr<float>();
  const uint8_t* fl = f.data_ptr<uint8_t>();
  float* dst = out.data_ptr<float>();
  const float th = static_cast<float>(threshold);
  at::parallel_for(0, n, relic::grain_for(per), [&](int64_t begin, int64_t end) {
    for (int64_t img = begin; img < end; ++img) {
      const float* in = src + img * per;
      float* o = dst + img * per;
      if (!fl[img]) {
        if (in != o) std::copy(in, in + per, o);
      } else
        solarize_image(in, o, per, th);
    }
  });
  return out;
}

// One RGB image of `plane` pixels per channel turned to its luma, in all three channels.
RELIC_DISPATCH void grayscale_image(const float* in, float* o, int64_t plane) {
  for (int64_t i = 0; i < plane; ++i) {
    const float l = luma(in[i], in[i + plane], in[i + 2 * plane]);
    o[i] = l;
    o[i + plane] = l;
    o[i + 2 * plane] = l;
  }
}

// rgb_to_grayscale (0.2989, 0.587, 0.114) of the flagged RGB images, replicated to three channels, one pass.
at::Tensor grayscale(const at::Tensor& images, const at::Tensor& flags, bool inplace) {
  check_cpu_float(images, "grayscale");
  TORCH_CHECK(images.size(1) == 3, "grayscale: images must have 3 channels, got ", images.size(1));
  const int64_t n = images.size(0), plane = images.size(2) * images.size(3);
  auto f = flags_of(flags, n, "grayscale");
  auto x = images.contiguous();
  TORCH_CHECK(!inplace || images.is_contiguous(), "grayscale: in-place needs contiguous images");
  auto out = inplace ? x : at::empty_like(x);
  const float* src = x.data_ptr<float>();
  const uint8_t* fl = f.data_ptr<uint8_t>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, n, relic::grain_for(3 * plane), [&](int64_t begin, int64_t end) {
    for (int64_t img = begin; img < end; ++img) {
      const float* in = src + img * 3 * plane;
      float* o = dst + img * 3 * plane;
      if (!fl[img]) {
        if (in != o) std::copy(in, in + 3 * plane, o);
        continue;
      }
      grayscale_image(in, o, plane);
    }
  });
  return out;
}

}  // namespace

RS_API int rs_vision_adjust_hue(TH images, TH factors, TH* out) { RS_RETURN(adjust_hue(*images, *factors)); }

RS_API int rs_vision_color_jitter(TH images, TH order, TH applied, TH factors, int64_t enabled, int inplace, TH* out) {
  RS_RETURN(color_jitter(*images, *order, *applied, *factors, enabled, inplace != 0));
}

RS_API int rs_vision_resized_crop(TH images, TH boxes, int64_t out_h, int64_t out_w, int64_t mode, TH flip, TH* out) {
  RS_RETURN(resized_crop(*images, *boxes, out_h, out_w, mode, flip));
}

RS_API int rs_vision_gaussian_blur(TH images, TH taps, TH flags, int inplace, TH* out) {
  RS_RETURN(gaussian_blur(*images, *taps, *flags, inplace != 0));
}

RS_API int rs_vision_solarize(TH images, double threshold, TH flags, int inplace, TH* out) {
  RS_RETURN(solarize(*images, threshold, *flags, inplace != 0));
}

RS_API int rs_vision_grayscale(TH images, TH flags, int inplace, TH* out) { RS_RETURN(grayscale(*images, *flags, inplace != 0)); }
