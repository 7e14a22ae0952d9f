"""PyTorch side of bench/channel2d.mjs: the multi-channel 2-D step with F.conv2d.

u = depthwise 3x3 conv (groups = C, zero padding) + 1x1 conv (channel mixing) - bias,
z' = (1 - w) z + w tanh(u); forward, and forward + backward (grads of sum(dy * z') with
respect to z, taps, mixing, w, bias). Prints one JSON line: {"version", "rows": [...]}.
Usage: channel2d.py B H W C REPS WARMUP
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

B, H, W, C, REPS, WARMUP = (int(a) for a in sys.argv[1:7])
g = torch.Generator().manual_seed(1)
z0 = torch.rand(B, C, H, W, generator=g) * 2 - 1
taps0 = torch.randn(C, 1, 3, 3, generator=g) * 0.3
mix0 = torch.randn(C, C, 1, 1, generator=g) * 0.3
bias0 = torch.randn(C, generator=g) * 0.1
dy = torch.rand(B, C, H, W, generator=g) * 2 - 1


def step(z, taps, mix, w, bias):
    u = F.conv2d(z, taps, padding=1, groups=C) + F.conv2d(z, mix) - bias.view(1, C, 1, 1)
    return (1 - w) * z + w * torch.tanh(u)


def timed(fn):
    for _ in range(WARMUP):
        fn()
    ts = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def forward():
    with torch.no_grad():
        step(z0, taps0, mix0, torch.tensor(0.5), bias0)


def both():
    args = [t.clone().requires_grad_(True) for t in (z0, taps0, mix0, torch.tensor(0.5), bias0)]
    out = step(*args)
    torch.autograd.grad((out * dy).sum(), args)


rows = []
for threads in (1, 2):
    torch.set_num_threads(threads)
    rows.append({"threads": threads, "fwd": timed(forward), "both": timed(both)})
print(json.dumps({"version": torch.__version__, "rows": rows}))
