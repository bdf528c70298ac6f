"""PyTorch reference for the project's main job, `relic pretrain --preset fashion-mnist`, to measure its peak resident memory.

Run: /usr/bin/python3 bench/pytorch/relicv2_fashion_main.py --steps N [--threads 2] [--workers 0] [--probe-epochs 30] [--train-limit K]
Pre-trains ReLICv2 for N steps on Fashion-MNIST as the preset does (Experiment.FashionMnistReLICv2: ResNet-18 with
torchvision's stem at base width 32, channels-last, heads 256 -> 512 -> 128 and 128 -> 512 -> 128, 4 x 28 px + 2 x 12 px views,
the ReLIC loss with tau = 0.2 over every online view x every large target view, an EMA target with a cosine gamma from 0.9,
LARS at 4.0 with wd 1e-5 and a warm-up + cosine schedule, batch 256), then scores the online encoder and the EMA target's
encoder with the 30-epoch linear probe (plain + one flipped copy of the training set) and the k-NN (k = 20, tau = 0.07).
Progress goes to stderr; one JSON object goes to stdout: pre-training seconds, the accuracies, and the peak resident memory
(VmHWM of /proc/self/status, as `relic pretrain` reads its own) with the running peak and the current VmRSS at each phase boundary. Not part
of the framework: a measuring stick, written to the workload's definition (docs/method.md, src/Dsl/Experiments/Experiment.cs).
Left out: the preset's time budget (the step count is given, with no throw-away step-time measurement before it), the
random-init and supervised baselines `relic pretrain` runs after the two encoders, checkpoints, metrics and the report.
"""
import argparse
import copy
import gzip
import json
import math
import os
import resource
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T

from rss import peak_rss_mib

ROOT = "/usr/share/datasets/fashion-mnist"
BATCH = 256
LR, WEIGHT_DECAY, MOMENTUM, TRUST = 4.0, 1e-5, 0.9, 1e-3   # LARS; base rate per 256 images, batch 256
WARMUP_EPOCHS, EPOCHS = 0.1 * 20, 20                       # warmupEpochs = 0.1 x epochs (20), at most a tenth of the run
EMA_BASE = 0.9
TAU = 0.2
LARGE_VIEWS, SMALL_VIEWS = 4, 2
SEED = 1


# ---- data -------------------------------------------------------------------------------------------------------------

def read_idx(path):
    """An IDX file (gzip) as a uint8 tensor, read in chunks straight into the tensor (one copy of the data in memory)."""
    with gzip.open(path, "rb") as f:
        zero, dtype, ndim = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f"{path}: not an unsigned-byte IDX file")
        dims = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        out = torch.empty(math.prod(dims), dtype=torch.uint8)
        done = 0
        while done < out.numel():
            chunk = f.read(min(1 << 20, out.numel() - done))
            if not chunk:
                raise ValueError(f"{path}: truncated")
            out[done:done + len(chunk)] = torch.frombuffer(bytearray(chunk), dtype=torch.uint8)
            done += len(chunk)
    return out.view(*dims)


def load(split):
    """Images uint8 [N, 1, 28, 28] (one channel, as the project's FashionMnist loader) and labels int64 [N]."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(ROOT, f"{prefix}-images-idx3-ubyte.gz")).unsqueeze(1)
    labels = read_idx(os.path.join(ROOT, f"{prefix}-labels-idx1-ubyte.gz")).long()
    return images, labels


def clamp01(x):
    return x.clamp_(0, 1)


def large_view():
    """ViewSet.ReLICv2FashionMnist's large view: crop 30-100 % (bicubic, no antialias, clamped), flip, jitter p 0.8, grayscale 0.2."""
    return T.Compose([
        T.RandomResizedCrop(28, scale=(0.3, 1.0), interpolation=T.InterpolationMode.BICUBIC, antialias=False),
        T.Lambda(clamp01),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),  # saturation and hue are identities on one channel
        T.RandomGrayscale(p=0.2),
    ])


def small_view(odd):
    """AugmentationChain.Table16(12, 0.14, 0.5, odd): odd column blur p 0.1 / solarize p 0.2, even blur p 1.0 / no solarize; kernel 3 at 12 px."""
    return T.Compose([
        T.RandomResizedCrop(12, scale=(0.14, 0.5), interpolation=T.InterpolationMode.BICUBIC, antialias=False),
        T.Lambda(clamp01),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([T.GaussianBlur(3, sigma=(0.1, 2.0))], p=0.1 if odd else 1.0),
        T.RandomSolarize(0.5, p=0.2 if odd else 0.0),
    ])


class ViewDataset(torch.utils.data.Dataset):
    """The in-memory training images; item i is its 4 large and 2 small views (per-image torchvision transforms)."""

    def __init__(self, images):
        self.images = images
        self.large = [large_view() for _ in range(LARGE_VIEWS)]
        self.small = [small_view(j % 2 == 0) for j in range(SMALL_VIEWS)]  # small view 1 odd, view 2 even

    def __len__(self):
        return self.images.shape[0]

    def __getitem__(self, i):
        x = self.images[i].float().div_(255)
        return tuple(t(x) for t in self.large) + tuple(t(x) for t in self.small)


# ---- networks ---------------------------------------------------------------------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    """ResNet-18 with torchvision's stem (7x7/2 convolution, BN, ReLU, 3x3/2 max-pool), base width 32, pooled output of 8 x 32 = 256."""

    def __init__(self, in_channels=1, width=32):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin, stages = width, []
        for i, cout in enumerate([width, 2 * width, 4 * width, 8 * width]):
            stages.append(nn.Sequential(BasicBlock(cin, cout, 1 if i == 0 else 2), BasicBlock(cout, cout, 1)))
            cin = cout
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.output_dim = cin
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.mean((2, 3))


def mlp(cin, hidden, cout):
    """MlpHead: Linear - BatchNorm1d - ReLU - Linear."""
    return nn.Sequential(nn.Linear(cin, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True), nn.Linear(hidden, cout))


class Siamese(nn.Module):
    """Encoder f, projector g (256 -> 512 -> 128), predictor q (128 -> 512 -> 128); forward = q(g(f(x)))."""

    def __init__(self):
        super().__init__()
        self.encoder = ResNet18()
        self.encoder.to(memory_format=torch.channels_last)
        self.projector = mlp(self.encoder.output_dim, 512, 128)
        self.predictor = mlp(128, 512, 128)

    def project(self, x):
        return self.projector(self.encoder(x))

    def forward(self, x):
        return self.predictor(self.project(x))


class Lars(torch.optim.Optimizer):
    """docs/method.md 6.3: u = g + wd p; u *= eta ||p|| / ||u|| (adapted groups); v = m v + u; p -= lr v (no Nesterov)."""

    def __init__(self, named, lr, momentum, weight_decay, trust):
        named = list(named)
        groups = [dict(params=[p for _, p in named if p.ndim >= 2], weight_decay=weight_decay, adapt=True),
                  dict(params=[p for _, p in named if p.ndim < 2], weight_decay=0.0, adapt=False)]  # biases and norms excluded
        super().__init__(groups, dict(lr=lr, momentum=momentum, trust=trust))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                u = p.grad.add(p, alpha=group["weight_decay"]) if group["weight_decay"] else p.grad.clone()
                if group["adapt"]:
                    pn, un = p.norm(), u.norm()
                    u.mul_(torch.where((pn > 0) & (un > 0), group["trust"] * pn / un, torch.ones_like(pn)))
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                v = state["momentum_buffer"]
                v.mul_(group["momentum"]).add_(u)
                p.add_(v, alpha=-group["lr"])


def lr_multiplier(step, total, warmup):
    """WarmupCosineSchedule with final fraction 0."""
    if step < warmup:
        return step / warmup
    span = max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(step - warmup, span) / span))


def ema_gamma(k, total):
    """EmaSchedule.Cosine(0.9, K): 1 - (1 - base)(cos(pi k / K) + 1) / 2, then 1."""
    return 1.0 if k >= total else 1 - (1 - EMA_BASE) * (math.cos(math.pi * k / total) + 1) / 2


@torch.no_grad()
def ema_update(target, online, gamma):
    """EmaBuffers.Average: parameters and floating-point buffers lerp towards the online ones, integer counters copied."""
    for pt, po in zip(target.parameters(), online.parameters()):
        pt.lerp_(po, 1 - gamma)
    for bt, bo in zip(target.buffers(), online.buffers()):
        if bt.is_floating_point():
            bt.lerp_(bo, 1 - gamma)
        else:
            bt.copy_(bo)


def relic(o, t):
    """docs/method.md 2.7 with all negatives: CE(diag, L) + KL(softmax(L) || sg[softmax(L^T)]), L = o^ . sg[t^]^T / tau."""
    logits = F.normalize(o, dim=1) @ F.normalize(t.detach(), dim=1).T / TAU
    ce = F.cross_entropy(logits, torch.arange(o.shape[0]))
    log_p_at = F.log_softmax(logits, dim=1)
    log_p_ta = F.log_softmax(logits.T, dim=1).detach()
    kl = (log_p_at.exp() * (log_p_at - log_p_ta)).sum(1).mean()
    return ce + kl


# ---- evaluation -------------------------------------------------------------------------------------------------------

@torch.no_grad()
def extract(encoder, images, transform=None, batch=512):
    """FeatureExtractor: eval mode, no grad, images / 255 (optionally transformed), pooled features, batches of 512."""
    was = encoder.training
    encoder.eval()
    features = []
    for index, start in enumerate(range(0, images.shape[0], batch)):
        x = images[start:start + batch].float() / 255
        if transform is not None:
            x = transform(x, index)
        features.append(encoder(x))
    encoder.train(was)
    return torch.cat(features)


def flip_copy(seed):
    """The probe's augmented copy with probeCropMinArea = 1: each image flipped horizontally with p 0.5."""
    g = torch.Generator().manual_seed(seed)

    def transform(x, index):
        flip = torch.rand(x.shape[0], generator=g) < 0.5
        return torch.where(flip[:, None, None, None], x.flip(-1), x)
    return transform


def train_probe(features, labels, classes, epochs, lr=0.5, batch=256, momentum=0.9, seed=SEED):
    """LinearProbe: standardised features, Linear, SGD Nesterov 0.9 without weight decay, cosine to 0 without warm-up, batch 256."""
    g = torch.Generator().manual_seed(seed)
    mean = features.mean(0, keepdim=True)
    std = features.std(0, unbiased=False, keepdim=True) + 1e-6
    x = (features - mean) / std
    classifier = nn.Linear(features.shape[1], classes)
    opt = torch.optim.SGD(classifier.parameters(), lr=lr, momentum=momentum, nesterov=True)
    n = x.shape[0]
    total = (n + batch - 1) // batch * epochs
    step = 0
    for _ in range(epochs):
        order = torch.randperm(n, generator=g)
        for start in range(0, n, batch):
            for group in opt.param_groups:
                group["lr"] = lr * lr_multiplier(step, total, 0)
            step += 1
            idx = order[start:start + batch]
            loss = F.cross_entropy(classifier(x.index_select(0, idx)), labels.index_select(0, idx))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return classifier, mean, std


@torch.no_grad()
def probe_top1(probe, features, labels):
    classifier, mean, std = probe
    return (classifier((features - mean) / std).argmax(1) == labels).sum().item() / labels.shape[0]


@torch.no_grad()
def knn_top1(train_f, train_y, test_f, test_y, classes, k=20, tau=0.07, chunk=1024):
    """KnnClassifier: cosine similarity, the k nearest vote with exp(s / tau), test images in chunks of 1024."""
    bank_t = F.normalize(train_f, dim=1).T.contiguous()
    correct = 0
    for start in range(0, test_f.shape[0], chunk):
        q = F.normalize(test_f[start:start + chunk], dim=1)
        values, indices = (q @ bank_t).topk(min(k, bank_t.shape[1]), dim=1)
        votes = torch.zeros(q.shape[0], classes).scatter_add_(1, train_y[indices], (values / tau).exp())
        correct += (votes.argmax(1) == test_y[start:start + chunk]).sum().item()
    return correct / test_f.shape[0]


def evaluate(name, encoder, train_x, train_y, test_x, test_y, epochs):
    """ExperimentRunner.Evaluate: features of the training set and the test set, the probe on plain + 1 flipped copy, k-NN on plain."""
    t0 = time.perf_counter()
    train_f = extract(encoder, train_x)
    test_f = extract(encoder, test_x)
    copy_f = extract(encoder, train_x, transform=flip_copy(SEED + 3000))
    probe_f = torch.cat([train_f, copy_f])
    del copy_f
    probe_y = torch.cat([train_y, train_y])
    log(f"{name}: features in {time.perf_counter() - t0:.1f} s")
    probe = train_probe(probe_f, probe_y, 10, epochs)
    del probe_f, probe_y
    p1 = probe_top1(probe, test_f, test_y)
    log(f"{name}: linear probe trained ({time.perf_counter() - t0:.1f} s)")
    k1 = knn_top1(train_f, train_y, test_f, test_y, 10)
    log(f"{name}: linear probe top-1 {p1:.4f}, k-NN top-1 {k1:.4f} ({time.perf_counter() - t0:.1f} s)")
    return round(p1, 4), round(k1, 4)


# ---- memory -----------------------------------------------------------------------------------------------------------

def vmrss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg} (VmRSS {vmrss_mib()} MiB, peak {peak_rss_mib()} MiB)", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, required=True, help="pre-training steps (the schedule and the EMA are planned for them)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=0, choices=(0, 1),
                    help="DataLoader worker processes making the views: 0 on the main thread, 1 in a worker with a prefetch of 3 batches")
    ap.add_argument("--probe-epochs", type=int, default=30)
    ap.add_argument("--train-limit", type=int, default=None, help="use only the first K training images (quick tests)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    start = time.perf_counter()
    report = {"workload": "relicv2-fashion-mnist-main", "implementation": f"pytorch {torch.__version__} + torchvision per-image transforms",
              "threads": args.threads, "workers": args.workers, "steps": args.steps, "probe_epochs": args.probe_epochs,
              "vmrss_at_start_mib": vmrss_mib()}

    train_x, train_y = load("train")
    test_x, test_y = load("test")
    if args.train_limit is not None:
        train_x, train_y = train_x[:args.train_limit].clone(), train_y[:args.train_limit].clone()
    report["train_images"], report["test_images"] = train_x.shape[0], test_x.shape[0]
    report.update(rss_after_load_mib=peak_rss_mib(), vmrss_after_load_mib=vmrss_mib())
    log(f"loaded {train_x.shape[0]} training and {test_x.shape[0]} test images of {tuple(train_x.shape[1:])}")

    online = Siamese()
    target = copy.deepcopy(online).requires_grad_(False)  # EmaTarget deep-copies the whole online network (its predictor unused)
    online.train()
    target.train()
    opt = Lars(online.named_parameters(), LR * BATCH / 256, MOMENTUM, WEIGHT_DECAY, TRUST)
    per_epoch = train_x.shape[0] // BATCH
    if per_epoch == 0:
        raise SystemExit(f"fewer training images ({train_x.shape[0]}) than one batch of {BATCH}")
    total = args.steps
    warmup = min(round(WARMUP_EPOCHS * per_epoch), total // 10)

    data = ViewDataset(train_x)
    loader = torch.utils.data.DataLoader(data, batch_size=BATCH, shuffle=True, drop_last=True, num_workers=args.workers,
                                         generator=torch.Generator().manual_seed(SEED),
                                         **({"prefetch_factor": 3} if args.workers > 0 else {}))
    log(f"pre-training {total} steps ({per_epoch} per epoch, warm-up {warmup}), batch {BATCH}, {args.workers} loader worker(s)")
    t0 = time.perf_counter()
    step, loss_value = 0, None
    while step < total:
        it = iter(loader)
        for views in it:
            views = [v.contiguous(memory_format=torch.channels_last) for v in views]
            for group in opt.param_groups:
                group["lr"] = LR * BATCH / 256 * lr_multiplier(step, total, warmup)
            large, small = torch.cat(views[:LARGE_VIEWS]), torch.cat(views[LARGE_VIEWS:])
            out = list(online(large).chunk(LARGE_VIEWS)) + list(online(small).chunk(SMALL_VIEWS))
            with torch.no_grad():
                tgt = target.project(large).chunk(LARGE_VIEWS)
            loss = sum(relic(o, t) for o in out for t in tgt) / (len(out) * len(tgt))  # same-view pairs included
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            ema_update(target, online, ema_gamma(step, total))
            step += 1
            loss_value = loss.item()
            del views, large, small, out, tgt, loss
            log(f"step {step}/{total}: loss {loss_value:.4f}, {time.perf_counter() - t0:.1f} s")
            if step >= total:
                break
        del it  # joins a worker process, so RUSAGE_CHILDREN counts it
    report["pretrain_seconds"] = round(time.perf_counter() - t0, 2)
    report["final_loss"] = round(loss_value, 4)
    report.update(rss_after_pretrain_mib=peak_rss_mib(), vmrss_after_pretrain_mib=vmrss_mib())
    if args.workers > 0:
        # A forked worker's own peak; it shares the parent's pages (libraries, the dataset), so the two do not add up.
        report["worker_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    del loader, data
    opt.zero_grad(set_to_none=True)

    t1 = time.perf_counter()
    report["online_probe_top1"], report["online_knn_top1"] = evaluate("online encoder", online.encoder, train_x, train_y, test_x, test_y, args.probe_epochs)
    report.update(rss_after_online_eval_mib=peak_rss_mib(), vmrss_after_online_eval_mib=vmrss_mib())
    report["target_probe_top1"], report["target_knn_top1"] = evaluate("EMA target encoder", target.encoder, train_x, train_y, test_x, test_y, args.probe_epochs)
    report["eval_seconds"] = round(time.perf_counter() - t1, 2)
    report.update(rss_after_eval_mib=peak_rss_mib(), vmrss_after_eval_mib=vmrss_mib())
    report["total_seconds"] = round(time.perf_counter() - start, 2)
    # Peak resident memory of the whole process (VmHWM), as for relic pretrain.
    report["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
