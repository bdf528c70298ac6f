#!/usr/bin/python3
"""Reference values and gradients of the ReLICv2.NET loss presets, computed with PyTorch 1.13 in float64.

Each loss is written here independently of the C# code, following the public reference code it cites
(docs/method.md §2, §5). Run once with /usr/bin/python3; the JSON output is committed
under tests/ReLICv2.Core.Tests/Fixtures/objectives/ and tests/ReLICv2.Dsl.Tests/Fixtures/objectives/.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20260521)
N, D, K, M = 6, 4, 5, 5
online = torch.randn(N, D, dtype=torch.float64)
target = torch.randn(N, D, dtype=torch.float64)
anchors = torch.randn(M, D, dtype=torch.float64)
logits_a = torch.randn(N, K, dtype=torch.float64)
logits_b = torch.randn(N, K, dtype=torch.float64)
# explicit candidate sets for k = 3 negatives: column 0 is the anchor, never repeated among the negatives
candidates = torch.tensor([[0, 3, 1, 5], [1, 0, 4, 2], [2, 5, 3, 0], [3, 2, 1, 4], [4, 1, 0, 5], [5, 4, 2, 3]])


def grad_of(fn, *xs):
    xs = [x.clone().requires_grad_(True) for x in xs]
    value = fn(*xs)
    grads = torch.autograd.grad(value, xs, allow_unused=True)
    return value.item(), [None if g is None else g.flatten().tolist() for g in grads]


def kl_batchmean(log_p, log_q):
    # torch kl_div(input=log Q, target=log P, log_target=True, batchmean) = mean_i sum_j P (log P - log Q)
    return F.kl_div(log_q, log_p, reduction="batchmean", log_target=True)


def relic(o, t, tau, alpha, beta, handling, cand):
    o_hat = F.normalize(o, dim=1)
    t_hat = F.normalize(t.detach(), dim=1)
    l_at = o_hat @ t_hat.T / tau
    l_ta = t_hat @ o_hat.T / tau
    if cand is None:
        labels = torch.arange(o.shape[0])
    else:
        l_at = torch.gather(l_at, 1, cand)
        l_ta = torch.gather(l_ta, 1, cand)
        labels = torch.zeros(o.shape[0], dtype=torch.long)
    ce = F.cross_entropy(l_at, labels)
    lp_at = F.log_softmax(l_at, dim=1)
    lp_ta = F.log_softmax(l_ta, dim=1)
    if handling == "Forward":
        kl = kl_batchmean(lp_at, lp_ta.detach())
    elif handling == "Reverse":
        kl = kl_batchmean(lp_ta, lp_at.detach())
    elif handling == "Symmetric":
        kl = 0.5 * (kl_batchmean(lp_at, lp_ta.detach()) + kl_batchmean(lp_ta, lp_at.detach()))
    elif handling == "NoStopGradient":
        kl = kl_batchmean(lp_at, lp_ta)
    elif handling == "ReverseNoStopGradient":
        # filipbasara0/relic: kl_div(log_softmax(L, 1), softmax(L, 0).T, batchmean)
        kl = F.kl_div(lp_at, F.softmax(l_ta, dim=1), reduction="batchmean")
    return beta * ce + alpha * kl, ce, kl


def ntxent(a, b, tau):
    z = F.normalize(torch.cat([a, b]), dim=1)
    n = a.shape[0]
    sim = z @ z.T / tau
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, labels)


def byol(p, z):
    return (2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1, eps=0)).mean()


def barlow(a, b, lamb, scale):
    bn = torch.nn.BatchNorm1d(a.shape[1], affine=False).double()
    c = bn(a).T @ bn(b) / a.shape[0]
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return scale * (on + lamb * off)


def off_diagonal(x):
    n = x.shape[0]
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def vicreg(x, y):
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    n, d = x.shape
    cov_x = (x.T @ x) / (n - 1)
    cov_y = (y.T @ y) / (n - 1)
    cov_loss = off_diagonal(cov_x).pow(2).sum() / d + off_diagonal(cov_y).pow(2).sum() / d
    return 25 * repr_loss + 25 * std_loss + 1 * cov_loss


def ressl(o, t, a, tau_t, tau_s):
    q = F.normalize(o, dim=1)
    k = F.normalize(t.detach(), dim=1)
    if a is None:
        n = o.shape[0]
        mask = ~torch.eye(n, dtype=torch.bool)
        logits_q = (q @ k.T)[mask].view(n, n - 1)
        logits_k = (k @ k.T)[mask].view(n, n - 1)
    else:
        queue = F.normalize(a, dim=1)
        logits_q = q @ queue.T
        logits_k = k @ queue.T
    return -torch.sum(F.softmax(logits_k.detach() / tau_t, dim=1) * F.log_softmax(logits_q / tau_s, dim=1), dim=1).mean()


def twist(sa, sb):
    pa, pb = F.softmax(sa, dim=1), F.softmax(sb, dim=1)
    lpa, lpb = F.log_softmax(sa, dim=1), F.log_softmax(sb, dim=1)
    kl = 0.5 * ((pa * (lpa - lpb)).sum(1).mean() + (pb * (lpb - lpa)).sum(1).mean())
    eh = 0.5 * (-(pa * lpa).sum(1).mean() - (pb * lpb).sum(1).mean())
    ma, mb = pa.mean(0), pb.mean(0)
    he = 0.5 * (-(ma * ma.log()).sum() - (mb * mb.log()).sum())
    return kl + eh - he


cases = []
tau, alpha, beta = 0.2, 0.7, 1.3
for handling in ["Forward", "Reverse", "Symmetric", "NoStopGradient", "ReverseNoStopGradient"]:
    for name, cand in [("all", None), ("k3", candidates)]:
        value, grads = grad_of(lambda o: relic(o, target, tau, alpha, beta, handling, cand)[0], online)
        _, ce, kl = relic(online, target, tau, alpha, beta, handling, cand)
        cases.append(dict(name=f"relic_{handling}_{name}", loss="relic", kl=handling, negatives=name,
                          temperature=tau, alpha=alpha, beta=beta, value=value, contrastive=ce.item(),
                          invariance=kl.item(), grad_online=grads[0]))

value, grads = grad_of(lambda a, b: ntxent(a, b, 0.5), online, target)
cases.append(dict(name="ntxent", loss="ntxent", temperature=0.5, value=value, grad_online=grads[0], grad_target=grads[1]))
value, grads = grad_of(byol, online, target)
cases.append(dict(name="byol", loss="byol", value=value, grad_online=grads[0], grad_target=grads[1]))
for name, scale in [("barlow_official", 1.0), ("barlow_scaled", 0.025)]:
    value, grads = grad_of(lambda a, b: barlow(a, b, 5e-3, scale), online, target)
    cases.append(dict(name=name, loss="barlow", lamb=5e-3, scale=scale, value=value, grad_online=grads[0], grad_target=grads[1]))
value, grads = grad_of(vicreg, online, target)
cases.append(dict(name="vicreg", loss="vicreg", value=value, grad_online=grads[0], grad_target=grads[1]))
value, grads = grad_of(lambda o, t: ressl(o, t, None, 0.04, 0.1), online, target)
cases.append(dict(name="ressl_batch", loss="ressl", value=value, grad_online=grads[0], grad_target=grads[1]))
value, grads = grad_of(lambda o, t: ressl(o, t, anchors, 0.04, 0.1), online, target)
cases.append(dict(name="ressl_anchors", loss="ressl", value=value, grad_online=grads[0], grad_target=grads[1]))
value, grads = grad_of(twist, logits_a, logits_b)
cases.append(dict(name="twist", loss="twist", value=value, grad_online=grads[0], grad_target=grads[1]))

fixture = dict(
    generator="tests/fixtures-src/objectives/make_objective_fixtures.py",
    torch=torch.__version__,
    n=N, d=D, k=K, m=M,
    online=online.flatten().tolist(), target=target.flatten().tolist(), anchors=anchors.flatten().tolist(),
    logits_a=logits_a.flatten().tolist(), logits_b=logits_b.flatten().tolist(),
    candidates=candidates.flatten().tolist(),
    cases=cases,
)
root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
for project in ["ReLICv2.Core.Tests", "ReLICv2.Dsl.Tests"]:
    out = os.path.join(root, project, "Fixtures", "objectives")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "losses.json"), "w") as f:
        json.dump(fixture, f, indent=1)
print(f"{len(cases)} cases written")
