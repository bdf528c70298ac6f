"""Reference outputs of antialiased crop-then-resize (torchvision's resize(antialias=True) on tensors, which calls
torch.nn.functional.interpolate(..., antialias=True)) for the Core/Vision kernel tests.

Needs only PyTorch (>= 1.11):  /usr/bin/python3 make_antialias_fixtures.py FIXTURE_DIR
Reads FIXTURE_DIR/input.json (written by make_vision_fixtures.py) and writes resized_crop_<mode>_aa_<h>x<w>.json next
to it: the same boxes as the antialias=False fixtures, output sizes that downscale, mix down- and upscaling, and upscale.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

DIR = sys.argv[1] if len(sys.argv) > 1 else "."
with open(os.path.join(DIR, "input.json")) as f:
    source = json.load(f)
x = torch.tensor(source["data"], dtype=torch.float32).view(*source["shape"])


def flat(t):
    return [float("%.9g" % v) for v in t.contiguous().view(-1).tolist()]


boxes = [[2, 3, 9, 11], [0, 5, 16, 7]]  # top, left, height, width
for mode in ["bilinear", "bicubic"]:
    for (h, w) in [(5, 6), (3, 4), (12, 4)]:
        crops = [x[i:i + 1, :, t:t + bh, l:l + bw] for i, (t, l, bh, bw) in enumerate(boxes)]
        out = torch.cat([F.interpolate(c, size=[h, w], mode=mode, align_corners=False, antialias=True) for c in crops]).clamp(0, 1)
        with open(os.path.join(DIR, "resized_crop_%s_aa_%dx%d.json" % (mode, h, w)), "w") as f:
            json.dump({"boxes": boxes, "torch": torch.__version__, "shape": list(out.shape), "data": flat(out)}, f, separators=(",", ":"))
