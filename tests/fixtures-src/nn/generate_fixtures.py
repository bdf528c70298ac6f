#!/usr/bin/python3
"""Reference fixtures for Core/Nn and Core/Optim, computed with Debian's PyTorch 1.13 / torchvision 0.14.

Run from the repository root:  /usr/bin/python3 tests/fixtures-src/nn/generate_fixtures.py
Writes tests/ReLICv2.Core.Tests/Fixtures/nn/*.json. Tests never run Python; they read these files.

Every tensor here is a closed-form function of its element index (no random numbers), and the C# tests rebuild the same
tensors with the same libtorch ops, so only outputs need committing:
  * torchvision_keys.json   state-dict keys and shapes of torchvision resnet18/resnet50;
  * resnet_interop.json     outputs of resnet18/resnet50 (eval mode) with closed-form weights on a closed-form input;
  * optimizer_steps.json    parameters after each of 3 steps of torch.optim.SGD / AdamW with closed-form gradients.
"""
import json
import math
import os

import torch
import torchvision

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ReLICv2.Core.Tests", "Fixtures", "nn"))


def wave(n, k, a=0.37):
    """sin(a*i + k) for i = 0..n-1, float64 (the C# tests compute the same with the same ops)."""
    return (torch.arange(n, dtype=torch.float64) * a + k).sin()


def closed_form_entry(key, shape, k):
    """The deterministic value of state-dict entry number k (see ResNetInteropTests.ClosedFormEntry in C#)."""
    n = 1
    for s in shape:
        n *= s
    if key.endswith("num_batches_tracked"):
        return torch.tensor(k, dtype=torch.int64)
    b = wave(n, k)
    if key.endswith("running_mean"):
        v = 0.05 * b
    elif key.endswith("running_var"):
        v = 0.5 + 0.25 * (1.0 + b)
    elif key.endswith("bias"):
        v = 0.1 * b
    elif len(shape) == 1:  # BN gamma
        v = 1.0 + 0.2 * b
    else:  # conv / linear weight
        fan_in = n // shape[0]
        v = b * math.sqrt(2.0 / fan_in)
    return v.reshape(shape).to(torch.float32)


def closed_form_input(shape):
    n = 1
    for s in shape:
        n *= s
    return wave(n, 0.5, 0.11).reshape(shape).to(torch.float32)


def rounded(t):
    return [float("%.9g" % v) for v in t.reshape(-1).tolist()]


def keys_fixture():
    out = {}
    for name, ctor in (("resnet18", torchvision.models.resnet18), ("resnet50", torchvision.models.resnet50)):
        m = ctor()
        out[name] = {
            "keys": [[k, list(v.shape)] for k, v in m.state_dict().items()],
            "parameters_without_fc": sum(p.numel() for n, p in m.named_parameters() if not n.startswith("fc.")),
        }
    for name, ctor in (("resnet34", torchvision.models.resnet34), ("resnet101", torchvision.models.resnet101),
                       ("resnet152", torchvision.models.resnet152)):
        m = ctor()
        out[name] = {"parameters_without_fc": sum(p.numel() for n, p in m.named_parameters() if not n.startswith("fc.")),
                     "state_dict_entries": len(m.state_dict())}
    return out


def interop_fixture():
    shape = [2, 3, 32, 32]
    x = closed_form_input(shape)
    out = {"input_shape": shape, "input_recipe": "sin(0.11*i + 0.5), float64 -> float32",
           "weight_recipe": "see closed_form_entry in generate_fixtures.py"}
    for name, ctor in (("resnet18", torchvision.models.resnet18), ("resnet50", torchvision.models.resnet50)):
        m = ctor()
        sd = m.state_dict()
        new = {key: closed_form_entry(key, list(v.shape), k) for k, (key, v) in enumerate(sd.items())}
        m.load_state_dict(new)
        m.eval()
        with torch.no_grad():
            logits = m(x)
            m.fc = torch.nn.Identity()
            pooled = m(x)
        entry = {"pooled_shape": list(pooled.shape), "pooled": rounded(pooled)}
        if name == "resnet18":
            entry["logits_shape"] = list(logits.shape)
            entry["logits"] = rounded(logits)
        out[name] = entry
        print(name, "pooled mean/std", pooled.mean().item(), pooled.std().item(), "logits std", logits.std().item())
    return out


def param_init(shape, k):
    n = 1
    for s in shape:
        n *= s
    return wave(n, k, 0.7).reshape(shape).to(torch.float32)


def grad_at(shape, k, step):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float64) * 0.3 + (step + 1.0 + 0.5 * k)).cos().reshape(shape).to(torch.float32)


SHAPES = [[3, 4], [4]]
LR_FACTORS = [1.0, 0.5, 0.25]

CASES = [
    ("sgd_plain", "sgd", [{"lr": 0.1}]),
    ("sgd_momentum", "sgd", [{"lr": 0.1, "momentum": 0.9}]),
    ("sgd_momentum_dampening_wd", "sgd", [{"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 1e-2}]),
    ("sgd_nesterov_wd", "sgd", [{"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}]),
    ("sgd_groups", "sgd", [{"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-2}, {"lr": 0.01, "momentum": 0.5, "nesterov": True}]),
    ("adamw_default", "adamw", [{"lr": 1e-3}]),
    ("adamw_wd", "adamw", [{"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6, "weight_decay": 0.05}]),
    ("adamw_groups", "adamw", [{"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.002, "weight_decay": 0.0, "betas": [0.5, 0.9]}]),
]


def optimizer_fixture():
    out = {"shapes": SHAPES, "lr_factors": LR_FACTORS,
           "init_recipe": "param k = sin(0.7*i + k)", "grad_recipe": "grad of param k at step s = cos(0.3*i + s + 1 + 0.5*k)",
           "cases": []}
    for name, kind, groups in CASES:
        params = [param_init(s, k).requires_grad_() for k, s in enumerate(SHAPES)]
        if len(groups) == 1:
            pg = [dict(groups[0], params=params)]
        else:
            pg = [dict(groups[0], params=[params[0]]), dict(groups[1], params=[params[1]])]
        pg = [dict((k, tuple(v) if k == "betas" else v) for k, v in g.items()) for g in pg]
        opt = torch.optim.SGD(pg, lr=0.0) if kind == "sgd" else torch.optim.AdamW(pg)
        base = [g["lr"] for g in opt.param_groups]
        steps = []
        for s, f in enumerate(LR_FACTORS):
            for g, b in zip(opt.param_groups, base):
                g["lr"] = b * f
            for k, p in enumerate(params):
                p.grad = grad_at(SHAPES[k], k, s)
            opt.step()
            steps.append([rounded(p.detach()) for p in params])
        out["cases"].append({"name": name, "kind": kind, "groups": groups, "steps": steps})
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for fname, fn in (("torchvision_keys.json", keys_fixture), ("optimizer_steps.json", optimizer_fixture),
                      ("resnet_interop.json", interop_fixture)):
        data = fn()
        data["generated_by"] = "tests/fixtures-src/nn/generate_fixtures.py with torch %s, torchvision %s" % (
            torch.__version__, torchvision.__version__)
        path = os.path.join(OUT, fname)
        with open(path, "w") as f:
            json.dump(data, f, separators=(",", ":"))
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
