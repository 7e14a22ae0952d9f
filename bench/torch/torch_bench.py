#!/usr/bin/env python3
"""PyTorch columns of the npde benchmark (bench/lib/torch.mjs starts this).

A long-lived child process: reads one JSON job per line on stdin, answers one
JSON line on stdout. Jobs:

  {"kind": "hello"}
      -> {"ok": true, "torch": "1.13.0", "python": "3.11.2", "threads": 2}
  {"kind": "step", "input": FILE, "output": PREFIX, "B", "H", "W", "K",
   "offsets": [[di, dj], ...], "boundary": "periodic" | "zero", "pass": "fwd" | "fb",
   "threads": [1, 2], "warmup", "reps"}
      -> {"ok": true, "results": {"1": {"medianMs", "minMs", "maxMs", "reps", "output"}, ...}}
  {"kind": "train", "x": FILE, "y": FILE, "samples", "sites", "layers", "omega",
   "epochs", "lr", "dx", "init": {"U", "D", "R"}, "truth": {"U": [...], "D": [...], "R": [...]},
   "threads": [1, 2], "reps"}
      -> {"ok": true, "results": {"1": [{"seconds", "finalLoss", "relErr": {"U", "D", "R"}}, ...], ...}}

The step is the fused op's contract, written the way a PyTorch user would
(torch.roll / zero padding per tap, autograd for the backward pass):

    u = W z - b,   z' = (1 - omega) z + omega tanh(u)

The input file holds float32 z [B, S], taps [S, K], omega, bias [S], dy [B, S]
(bench/lib/native.mjs's writeInputs). Outputs are written as raw float32:
forward z'; forward+backward dz, dtaps, domega, dbias, concatenated.
The training job is `npde demo`'s ADR model: taps A = D/dx^2 - U/(2 dx),
B = D/dx^2 + U/(2 dx), C = 1 - 2 D/dx^2 + R per site, `layers` periodic steps,
mean squared error, full-batch torch.optim.Adam.
"""
import array
import json
import math
import platform
import sys
import time

import torch


def read_f32(path, count=None):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    t = torch.frombuffer(data, dtype=torch.float32)
    return t if count is None else t[:count]


def f32_bytes(t):
    flat = t.detach().contiguous().reshape(-1)
    try:
        return flat.numpy().tobytes()
    except Exception:  # torch built without numpy
        return array.array("f", flat.tolist()).tobytes()


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else 0.5 * (s[m - 1] + s[m])


def neighbour(grid, di, dj, boundary):
    """grid [B, H, W] -> n with n[:, i, j] = grid[:, i + di, j + dj] (wrapped or 0 outside)."""
    if di == 0 and dj == 0:
        return grid
    if boundary == "periodic":
        return torch.roll(grid, shifts=(-di, -dj), dims=(1, 2))
    H, W = grid.shape[1], grid.shape[2]
    p = max(abs(di), abs(dj))
    padded = torch.nn.functional.pad(grid, (p, p, p, p))
    return padded[:, p + di : p + di + H, p + dj : p + dj + W]


def relax_step(z, taps, omega, bias, H, W, offsets, boundary):
    B = z.shape[0]
    grid = z.reshape(B, H, W)
    u = None
    for k, (di, dj) in enumerate(offsets):
        term = neighbour(grid, di, dj, boundary).reshape(B, H * W) * taps[:, k]
        u = term if u is None else u + term
    u = u - bias
    return (1 - omega) * z + omega * torch.tanh(u)


def step_job(job):
    B, H, W, K = job["B"], job["H"], job["W"], job["K"]
    S = H * W
    raw = read_f32(job["input"])
    sizes = [B * S, S * K, 1, S, B * S]
    parts = []
    off = 0
    for n in sizes:
        parts.append(raw[off : off + n].clone())
        off += n
    z, taps, omega, bias, dy = parts
    z = z.reshape(B, S)
    taps = taps.reshape(S, K)
    omega = omega.reshape(())
    dy = dy.reshape(B, S)
    offsets = [tuple(o) for o in job["offsets"]]
    boundary = job["boundary"]
    results = {}
    for threads in job["threads"]:
        torch.set_num_threads(threads)
        if job["pass"] == "fwd":

            def once():
                with torch.no_grad():
                    return [relax_step(z, taps, omega, bias, H, W, offsets, boundary)]

        else:
            zg, tg, og, bg = (t.clone().requires_grad_(True) for t in (z, taps, omega, bias))

            def once():
                out = relax_step(zg, tg, og, bg, H, W, offsets, boundary)
                return list(torch.autograd.grad(out, [zg, tg, og, bg], grad_outputs=dy))

        for _ in range(job["warmup"]):
            once()
        times = []
        outs = None
        for _ in range(job["reps"]):
            t0 = time.perf_counter()
            outs = once()
            times.append((time.perf_counter() - t0) * 1e3)
        path = f"{job['output']}.t{threads}"
        with open(path, "wb") as f:
            for t in outs:
                f.write(f32_bytes(t))
        results[str(threads)] = {"medianMs": median(times), "minMs": min(times), "maxMs": max(times), "reps": len(times), "output": path}
    return {"ok": True, "results": results}


def rel_l2(a, b):
    num = sum((x - y) ** 2 for x, y in zip(a, b))
    den = sum(y * y for y in b)
    return math.sqrt(num / den)


def train_once(x, y, job):
    N, L, omega, lr, dx = job["sites"], job["layers"], job["omega"], job["lr"], job["dx"]
    init = job["init"]
    U = torch.full((N,), float(init["U"]), requires_grad=True)
    D = torch.full((N,), float(init["D"]), requires_grad=True)
    R = torch.full((N,), float(init["R"]), requires_grad=True)
    opt = torch.optim.Adam([U, D, R], lr=lr)
    t0 = time.perf_counter()
    loss = None
    for _ in range(job["epochs"]):
        opt.zero_grad()
        adv = U / (2 * dx)
        dif = D / (dx * dx)
        A, Bt, C = dif - adv, dif + adv, 1 - 2 * dif + R
        z = x
        for _ in range(L):
            u = A * torch.roll(z, 1, 1) + C * z + Bt * torch.roll(z, -1, 1)
            z = (1 - omega) * z + omega * torch.tanh(u)
        loss = torch.mean((z - y) ** 2)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    truth = job["truth"]
    learned = {"U": U.detach().tolist(), "D": D.detach().tolist(), "R": R.detach().tolist()}
    return {
        "seconds": seconds,
        "finalLoss": loss.item(),
        "relErr": {k: rel_l2(learned[k], truth[k]) for k in ("U", "D", "R")},
    }


def train_job(job):
    n, N = job["samples"], job["sites"]
    x = read_f32(job["x"], n * N).clone().reshape(n, N)
    y = read_f32(job["y"], n * N).clone().reshape(n, N)
    results = {}
    for threads in job["threads"]:
        results[str(threads)] = []
    # Interleave the thread counts so that a burst of load hits both alike.
    for _ in range(job["reps"]):
        for threads in job["threads"]:
            torch.set_num_threads(threads)
            results[str(threads)].append(train_once(x, y, job))
    return {"ok": True, "results": results}


def main():
    torch.set_num_interop_threads(1)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            job = json.loads(line)
            kind = job.get("kind")
            if kind == "hello":
                res = {"ok": True, "torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads()}
            elif kind == "step":
                res = step_job(job)
            elif kind == "train":
                res = train_job(job)
            elif kind == "quit":
                break
            else:
                res = {"ok": False, "error": f"unknown job kind {kind!r}"}
        except Exception as err:  # report, keep serving
            res = {"ok": False, "error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
