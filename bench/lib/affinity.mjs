/**
 * CPU pinning for side-by-side timings (Linux, `taskset` from util-linux).
 *
 * On the shared 2-vCPU development machine one vCPU is at times much slower than the
 * other (a busy neighbour on the host core behind it): the 64 × 1024 forward ran
 * 0.078 ms pinned to one and 0.125–0.133 ms pinned to the other, for minutes, then
 * both at 0.078 ms. A process lands on either, so two columns timed in two processes
 * could be compared across vCPUs. Pinning both sides of a comparison to the same vCPU
 * (and alternating vCPUs between rounds) compares like with like.
 *
 * Everything here degrades to "not pinned" where taskset or the affinity list is
 * missing (another OS, a container without util-linux): `cpus()` is then null.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import process from 'node:process';

/** The vCPUs this process may run on (`Cpus_allowed_list` expanded), or null when they or taskset are unavailable. */
export function cpus() {
  let list;
  try {
    list = /^Cpus_allowed_list:\s*(.+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
  } catch {
    return null;
  }
  if (!list || spawnSync('taskset', ['-V'], { encoding: 'utf8' }).status !== 0) return null;
  const out = [];
  for (const part of list.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out.length ? out : null;
}

/**
 * Pin this process's main thread (where the wasm kernels run) to `cpu`, or, with
 * `cpu` = a list string like "0-1", restore a wider set. Returns whether it worked.
 */
export function pinSelf(cpu) {
  return spawnSync('taskset', ['-p', '-c', String(cpu), String(process.pid)], { encoding: 'utf8' }).status === 0;
}

/**
 * Run `fn(cpu)` with this process's main thread pinned to round `round`'s vCPU (the
 * allowed vCPUs in turn), and the affinity restored afterwards. `cpu` is the vCPU, or
 * null where pinning is unavailable (then nothing is pinned).
 */
export async function onRoundCpu(round, fn) {
  const allowed = cpus();
  const want = allowed?.[round % allowed.length];
  const cpu = want !== undefined && pinSelf(want) ? want : null;
  try {
    return await fn(cpu);
  } finally {
    if (cpu !== null) pinSelf(allowed.join(','));
  }
}

/** `[command, args]` that run `binary args` pinned to `cpu` (unpinned when `cpu` is null). */
export function pinnedCommand(cpu, binary, args) {
  return cpu == null ? [binary, args] : ['taskset', ['-c', String(cpu), binary, ...args]];
}
