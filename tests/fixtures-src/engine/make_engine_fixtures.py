"""Reference values for the tensor-engine tests, computed with PyTorch 1.13 (Debian's python3-torch).

Run once: /usr/bin/python3 tests/fixtures-src/engine/make_engine_fixtures.py
Writes tests/ReLICv2.Core.Tests/Fixtures/engine/ops.json. Inputs are closed-form (see `det`), so the C# tests
rebuild them exactly and the fixture only holds shapes, options and expected outputs.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def det(*shape, scale=1.0, offset=0.0):
    """Deterministic input: scale * sin(0.7 * i + 0.3) + offset over the row-major index i (float64)."""
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.7 * i + 0.3) + offset).reshape(shape)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


cases = []


def case(name, out, **options):
    cases.append({"name": name, "shape": list(out.shape), "values": flat(out), "options": options})


x4 = det(2, 3, 5, 6)
w = det(4, 3, 3, 3, scale=0.5)
b = det(4, scale=0.1)
case("conv2d", F.conv2d(x4, w, b, stride=1, padding=1))
case("conv2d_stride2_pad0", F.conv2d(x4, w, None, stride=2, padding=0))
wg = det(6, 1, 3, 3, scale=0.5)
case("conv2d_groups3", F.conv2d(x4, wg, None, stride=1, padding=1, groups=3))

rm, rv = det(3, scale=0.1), det(3, scale=0.2, offset=1.0)
rm_t, rv_t = rm.clone(), rv.clone()
gamma, beta = det(3, scale=0.3, offset=1.0), det(3, scale=0.1)
case("batch_norm_train", F.batch_norm(x4, rm_t, rv_t, gamma, beta, training=True, momentum=0.1, eps=1e-5))
case("batch_norm_train_running_mean", rm_t)
case("batch_norm_train_running_var", rv_t)
case("batch_norm_eval", F.batch_norm(x4, rm, rv, gamma, beta, training=False, eps=1e-5))

case("max_pool2d_k2", F.max_pool2d(x4, 2))
case("max_pool2d_k3_s2_p1", F.max_pool2d(x4, 3, stride=2, padding=1))
case("avg_pool2d_k2", F.avg_pool2d(x4, 2))
case("adaptive_avg_pool2d_2x3", F.adaptive_avg_pool2d(x4, (2, 3)))

img = det(2, 3, 8, 10, scale=0.5, offset=0.5)
case("interpolate_bilinear_up", F.interpolate(img, size=(11, 13), mode="bilinear", align_corners=False))
case("interpolate_bilinear_down", F.interpolate(img, size=(5, 4), mode="bilinear", align_corners=False))
case("interpolate_bilinear_down_aa", F.interpolate(img, size=(5, 4), mode="bilinear", align_corners=False, antialias=True))
case("interpolate_bicubic_up", F.interpolate(img, size=(11, 13), mode="bicubic", align_corners=False))
case("interpolate_bicubic_down_aa", F.interpolate(img, size=(5, 4), mode="bicubic", align_corners=False, antialias=True))
case("interpolate_nearest", F.interpolate(img, size=(5, 4), mode="nearest"))

theta = torch.tensor([[[0.9, 0.1, 0.05], [-0.2, 1.1, -0.1]], [[0.5, 0.0, 0.3], [0.0, 0.5, -0.3]]])
grid = F.affine_grid(theta, [2, 3, 6, 7], align_corners=False)
case("affine_grid", grid)
case("grid_sample_bilinear_zeros", F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False))
case("grid_sample_bicubic_border", F.grid_sample(img, grid, mode="bicubic", padding_mode="border", align_corners=False))
case("grid_sample_nearest_reflection", F.grid_sample(img, grid, mode="nearest", padding_mode="reflection", align_corners=False))

logits = det(5, 7, scale=3.0)
target = torch.tensor([0, 3, 6, 2, 3])
case("softmax_dim1", F.softmax(logits, dim=1))
case("log_softmax_dim0", F.log_softmax(logits, dim=0))
case("cross_entropy_mean", F.cross_entropy(logits, target))
case("cross_entropy_sum_smoothing", F.cross_entropy(logits, target, reduction="sum", label_smoothing=0.1))
soft = F.softmax(det(5, 7, scale=2.0, offset=0.1), dim=1)
case("cross_entropy_soft_targets", F.cross_entropy(logits, soft))
case("nll_mean", F.nll_loss(F.log_softmax(logits, 1), target))
q = F.log_softmax(logits, 1)
case("kl_div_batchmean", F.kl_div(q, soft, reduction="batchmean"))
case("kl_div_none_logtarget", F.kl_div(q, soft.log(), reduction="none", log_target=True))
case("mse_mean", F.mse_loss(logits, det(5, 7, scale=2.5, offset=0.2)))
case("normalize_dim1", F.normalize(logits, dim=1))
case("logsumexp_dim1", torch.logsumexp(logits, dim=1))
case("var_dim0_unbiased", logits.var(dim=0))
case("std_dim1_biased", logits.std(dim=1, unbiased=False))
case("norm_p1_dim1", logits.norm(p=1, dim=1))
case("matmul_broadcast", torch.matmul(det(2, 1, 3, 4), det(3, 4, 2, scale=0.5)))
case("gather_dim1", logits.gather(1, torch.tensor([[0, 1], [2, 3], [4, 5], [6, 0], [1, 2]])))
case("roll_flip", logits.roll(shifts=2, dims=1).flip(0))
case("sigmoid_tanh", torch.sigmoid(logits) * torch.tanh(logits))

out = os.path.join(os.path.dirname(__file__), "../../ReLICv2.Core.Tests/Fixtures/engine/ops.json")
with open(out, "w") as f:
    json.dump({"generator": "tests/fixtures-src/engine/make_engine_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
