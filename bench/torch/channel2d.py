"""PyTorch side of bench/channel2d.mjs: the multi-channel 2-D step with F.conv2d.

u = depthwise 3x3 conv (groups = C, zero padding) + 1x1 conv (channel mixing) - bias,
z' = (1 - w) z + w tanh(u); forward, and forward + backward (grads of sum(dy * z') with
respect to z, taps, mixing, w, bias), with 1 and 2 intra-op threads.

Usage: channel2d.py B H W C REPS WARMUP [INPUT OUTPUT]

INPUT (optional): float32 little-endian z [B, H, W, C], taps [C, 9], mixing [C, C], bias [C],
dy [B, H, W, C] -- npde's layout, written by bench/channel2d.mjs, so that both sides compute
the same thing (taps in row-major 3x3 order, u_c = sum_c' mixing[c, c'] z_c'). Without it the
inputs are drawn here (seeded). OUTPUT (optional): the forward z' [B, H, W, C] is written there
(float32) for bench/channel2d.mjs to compare with its fused op.

Prints one JSON line: {"version", "rows": [{"threads", "fwd", "fwdMin", "both", "bothMin"}]}.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

B, H, W, C, REPS, WARMUP = (int(a) for a in sys.argv[1:7])
INPUT = sys.argv[7] if len(sys.argv) > 7 else None
OUTPUT = sys.argv[8] if len(sys.argv) > 8 else None

if INPUT:
    with open(INPUT, "rb") as f:
        raw = bytearray(f.read())
    flat = torch.frombuffer(raw, dtype=torch.float32)
    sizes = [B * H * W * C, C * 9, C * C, C, B * H * W * C]
    if flat.numel() != sum(sizes):
        raise SystemExit(f"{INPUT}: {flat.numel()} floats, expected {sum(sizes)}")
    z_, taps_, mix_, bias_, dy_ = torch.split(flat.clone(), sizes)
    z0 = z_.view(B, H, W, C).permute(0, 3, 1, 2).contiguous()
    taps0 = taps_.view(C, 1, 3, 3).contiguous()
    mix0 = mix_.view(C, C, 1, 1).contiguous()
    bias0 = bias_.contiguous()
    dy = dy_.view(B, H, W, C).permute(0, 3, 1, 2).contiguous()
else:
    g = torch.Generator().manual_seed(1)
    z0 = torch.rand(B, C, H, W, generator=g) * 2 - 1
    taps0 = torch.randn(C, 1, 3, 3, generator=g) * 0.3
    mix0 = torch.randn(C, C, 1, 1, generator=g) * 0.3
    bias0 = torch.randn(C, generator=g) * 0.1
    dy = torch.rand(B, C, H, W, generator=g) * 2 - 1
w0 = torch.tensor(0.5)


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
    return statistics.median(ts), min(ts)


def forward():
    with torch.no_grad():
        return step(z0, taps0, mix0, w0, bias0)


leaves = [t.clone().requires_grad_(True) for t in (z0, taps0, mix0, w0, bias0)]


def both():
    out = step(*leaves)
    torch.autograd.grad((out * dy).sum(), leaves)


if OUTPUT:
    out = forward().permute(0, 2, 3, 1).contiguous()
    try:
        data = out.numpy().tobytes()
    except Exception:  # torch without numpy
        from array import array

        data = array("f", out.flatten().tolist()).tobytes()
    with open(OUTPUT, "wb") as f:
        f.write(data)

rows = []
for threads in (1, 2):
    torch.set_num_threads(threads)
    fwd, fwd_min = timed(forward)
    fb, fb_min = timed(both)
    rows.append({"threads": threads, "fwd": fwd, "fwdMin": fwd_min, "both": fb, "bothMin": fb_min})
print(json.dumps({"version": torch.__version__, "rows": rows}))
