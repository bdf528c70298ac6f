"""Reference outputs of torchvision 0.14's tensor functional ops for the Core/Vision kernel tests.

Run once with Debian's python3-torchvision (no network):  /usr/bin/python3 make_vision_fixtures.py OUT_DIR
Writes small JSON files (float32 values as decimal text) into OUT_DIR, normally
tests/ReLICv2.Core.Tests/Fixtures/vision. Every fixture uses fixed, explicit parameters, so the C# kernels can be
given exactly the same per-image values.
"""
import json
import math
import os
import sys

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(1234)


def images():
    """Two 3x16x16 images: uniform noise, and a smooth colour gradient with grey pixels and exact 0/1 values."""
    a = torch.rand(3, 16, 16)
    ys, xs = torch.meshgrid(torch.linspace(0, 1, 16), torch.linspace(0, 1, 16), indexing="ij")
    b = torch.stack([xs, ys, 1 - xs * ys])
    b[:, 0:4, 0:4] = 0.5          # grey block: max == min, hue undefined
    b[:, 4, :] = 1.0              # a white row
    b[:, 5, :] = 0.0              # a black row
    b[0, 6, :] = 1.0              # saturated red-ish row
    return torch.stack([a, b]).float()


def dump(name, payload):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


def flat(t):
    return [float("%.9g" % v) for v in t.contiguous().view(-1).tolist()]


x = images()
dump("input.json", {"shape": list(x.shape), "data": flat(x), "torchvision": torchvision.__version__})

# Colour ops, one factor per image.
ops = {
    "brightness": (F.adjust_brightness, [0.7, 1.3]),
    "contrast": (F.adjust_contrast, [0.6, 1.4]),
    "saturation": (F.adjust_saturation, [0.3, 1.7]),
    "hue": (F.adjust_hue, [0.1, -0.35]),
}
for name, (fn, factors) in ops.items():
    out = torch.stack([fn(x[i], factors[i]) for i in range(2)])
    dump(name + ".json", {"factors": factors, "shape": list(out.shape), "data": flat(out)})

# One-channel input: contrast blends with the image mean; saturation and hue leave it unchanged.
g = x[:, :1]
for name, (fn, factors) in ops.items():
    out = torch.stack([fn(g[i], factors[i]) for i in range(2)])
    dump(name + "_gray.json", {"factors": factors, "shape": list(out.shape), "data": flat(out)})

# The four ops in a per-image order (0 brightness, 1 contrast, 2 saturation, 3 hue).
order = [[3, 0, 2, 1], [1, 2, 3, 0]]
fac = [[0.8, 1.2, 0.5, 0.05], [1.25, 0.7, 1.6, -0.2]]
outs = []
for i in range(2):
    img = x[i]
    for op in order[i]:
        img = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue][op](img, fac[i][op])
    outs.append(img)
out = torch.stack(outs)
dump("jitter_order.json", {"order": order, "factors": fac, "shape": list(out.shape), "data": flat(out)})

out = F.rgb_to_grayscale(x, num_output_channels=3)
dump("grayscale.json", {"shape": list(out.shape), "data": flat(out)})

out = F.solarize(x, 0.5)
dump("solarize.json", {"threshold": 0.5, "shape": list(out.shape), "data": flat(out)})

sigmas = [1.3, 0.7]
out = torch.stack([F.gaussian_blur(x[i], [5, 5], [sigmas[i], sigmas[i]]) for i in range(2)])
dump("gaussian_blur.json", {"kernel": 5, "sigmas": sigmas, "shape": list(out.shape), "data": flat(out)})

# Crop then resize on tensors, bilinear, antialias=False (torchvision's tensor default in 0.14).
boxes = [[2, 3, 9, 11], [0, 5, 16, 7]]  # top, left, height, width
for (h, w) in [(10, 12), (5, 6)]:
    out = torch.stack([F.resized_crop(x[i], *boxes[i], [h, w], InterpolationMode.BILINEAR, antialias=False) for i in range(2)])
    dump("resized_crop_bilinear_%dx%d.json" % (h, w), {"boxes": boxes, "shape": list(out.shape), "data": flat(out)})

# Bicubic resize of the whole image (crop = image), clamped to [0, 1] as our kernel clamps.
for (h, w) in [(24, 20), (11, 9)]:
    out = F.resize(x, [h, w], InterpolationMode.BICUBIC, antialias=False).clamp(0, 1)
    dump("resize_bicubic_%dx%d.json" % (h, w), {"shape": list(out.shape), "data": flat(out)})

# Bicubic crop then resize (crop smaller than the image: the taps are clamped at the crop border).
for (h, w) in [(10, 12), (5, 6)]:
    out = torch.stack([F.resized_crop(x[i], *boxes[i], [h, w], InterpolationMode.BICUBIC, antialias=False) for i in range(2)]).clamp(0, 1)
    dump("resized_crop_bicubic_%dx%d.json" % (h, w), {"boxes": boxes, "shape": list(out.shape), "data": flat(out)})
