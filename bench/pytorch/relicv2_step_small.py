"""PyTorch reference for the `relicv2-step-small` workload of docs/benchmarks.md §2, measured beside `relic bench step`.

Run: /usr/bin/python3 bench/pytorch/relicv2_step_small.py [--steps N] [--threads 2]
Prints one JSON object: images/s for augmentation alone (torchvision per-image transforms), network compute alone
(augmented views given) and the full step, plus achieved GFLOP/s of the compute part and the peak resident memory. Everything here follows the
workload's definition; it is a measuring stick, not part of the framework.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T

from rss import peak_rss_mib


def conv_bn(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, stride)
        self.b = conv_bn(cout, cout, 1)
        self.skip = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b(F.relu(self.a(x)))
        return F.relu(y + (x if self.skip is None else self.skip(x)))


class SmallResNet18(nn.Module):
    """ResNet-18 with the small-image stem (3x3 conv stride 1, no max-pool) and base width 32."""

    def __init__(self, width=32):
        super().__init__()
        self.stem = conv_bn(3, width, 1)
        layers, cin = [], width
        for i, cout in enumerate([width, 2 * width, 4 * width, 8 * width]):
            layers += [Block(cin, cout, 1 if i == 0 else 2), Block(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return F.adaptive_avg_pool2d(self.layers(F.relu(self.stem(x))), 1).flatten(1)


def mlp(cin, hidden, cout):
    return nn.Sequential(nn.Linear(cin, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True), nn.Linear(hidden, cout))


def chain(size, scale, odd):
    """docs/method.md §4 (Table 16) column: odd views blur 0.1 / solarize 0.2, even views blur 1.0 / solarize 0."""
    return T.Compose([
        T.RandomResizedCrop(size, scale=scale, interpolation=T.InterpolationMode.BICUBIC),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([T.GaussianBlur(3, sigma=(0.1, 2.0))], p=0.1 if odd else 1.0),
        T.RandomSolarize(0.5, p=0.2 if odd else 0.0),
    ])


LARGE = [chain(32, (0.14, 1.0), odd) for odd in (True, False, True, False)]
SMALL = [chain(16, (0.05, 0.14), odd) for odd in (True, False)]


def augment(images):
    """images: float [B,3,40,40] in [0,1] -> 4 large [B,3,32,32] and 2 small [B,3,16,16] view batches (per-image transforms)."""
    large = [torch.stack([t(img) for img in images]) for t in LARGE]
    small = [torch.stack([t(img) for img in images]) for t in SMALL]
    return large, small


def relic(o, t, tau=0.2, alpha=1.0):
    logits = F.normalize(o, dim=1) @ F.normalize(t, dim=1).T / tau
    labels = torch.arange(o.shape[0])
    ce = F.cross_entropy(logits, labels)
    log_p_at = F.log_softmax(logits, dim=1)
    log_p_ta = F.log_softmax(logits.T, dim=1).detach()
    kl = (log_p_at.exp() * (log_p_at - log_p_ta)).sum(1).mean()
    return ce + alpha * kl


def compute_flops(batch):
    """Multiply-adds x 2 of one step's convolutions and linears (forward online on 6 views, target on 4, backward = 2 x forward online)."""
    macs = {}

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[m] = macs.get(m, 0) + out.numel() * m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs[m] = macs.get(m, 0) + out.numel() * m.in_features

    enc, proj, pred = SmallResNet18(), mlp(256, 1024, 128), mlp(128, 1024, 128)
    hs = [m.register_forward_hook(hook) for net in (enc, proj, pred) for m in net.modules()]
    with torch.no_grad():
        for size in (32, 16):
            macs.clear()
            pred(proj(enc(torch.zeros(batch, 3, size, size))))
            if size == 32:
                large_online = sum(macs.values())
                macs.clear()
                proj(enc(torch.zeros(batch, 3, size, size)))
                large_target = sum(macs.values())
            else:
                small_online = sum(macs.values())
    for h in hs:
        h.remove()
    online = 4 * large_online + 2 * small_online
    return 2 * (online * 3 + 4 * large_target)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true", help="networks and views in torch.channels_last, as the framework's encoders")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    batch = 32
    sources = torch.randint(0, 256, (batch, 3, 40, 40), dtype=torch.uint8)

    enc, proj, pred = SmallResNet18(), mlp(256, 1024, 128), mlp(128, 1024, 128)
    t_enc, t_proj = SmallResNet18(), mlp(256, 1024, 128)
    t_enc.load_state_dict(enc.state_dict())
    t_proj.load_state_dict(proj.state_dict())
    for p in list(t_enc.parameters()) + list(t_proj.parameters()):
        p.requires_grad_(False)
    if args.channels_last:
        for net in (enc, t_enc):
            net.to(memory_format=torch.channels_last)
    params = list(enc.parameters()) + list(proj.parameters()) + list(pred.parameters())
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=1e-6)

    def compute(large, small):
        online = [pred(proj(enc(torch.cat(large))))] + [pred(proj(enc(torch.cat(small))))]
        online = list(online[0].chunk(4)) + list(online[1].chunk(2))
        with torch.no_grad():
            target = t_proj(t_enc(torch.cat(large))).chunk(4)
        loss, pairs = 0.0, 0
        for i, o in enumerate(online):
            for j, t in enumerate(target):
                if i != j:
                    loss = loss + relic(o, t)
                    pairs += 1
        loss = loss / pairs
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for po, pt in zip(list(enc.parameters()) + list(proj.parameters()), list(t_enc.parameters()) + list(t_proj.parameters())):
                pt.mul_(0.99).add_(po, alpha=0.01)
        return loss.item()

    images = sources.float() / 255
    large, small = augment(images)
    if args.channels_last:
        large = [v.contiguous(memory_format=torch.channels_last) for v in large]
        small = [v.contiguous(memory_format=torch.channels_last) for v in small]
    compute(large, small)  # warm-up

    t0 = time.perf_counter()
    for _ in range(args.steps):
        augment(images)
    aug = args.steps * batch / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    for _ in range(args.steps):
        compute(large, small)
    comp_s = (time.perf_counter() - t0) / args.steps

    t0 = time.perf_counter()
    for _ in range(args.steps):
        lv, sv = augment(images)
        compute(lv, sv)
    full = args.steps * batch / (time.perf_counter() - t0)

    print(json.dumps({
        "workload": "relicv2-step-small", "implementation": f"pytorch {torch.__version__} + torchvision per-image transforms",
        "threads": args.threads, "steps": args.steps, "channels_last": args.channels_last, "augment_images_per_s": round(aug, 2),
        "compute_images_per_s": round(batch / comp_s, 2), "full_step_images_per_s": round(full, 2),
        "compute_gflops": round(compute_flops(batch) / comp_s / 1e9, 2),
        "peak_rss_mib": peak_rss_mib(),
    }))


if __name__ == "__main__":
    main()
