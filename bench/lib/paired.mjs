/**
 * The fused kernel against the same-width C reference, in interleaved rounds.
 *
 * The columns of a case are timed one after the other, each in its own window of a few
 * milliseconds; on a shared machine the load changes from one window to the next
 * (the 64 × 1024 forward measured 0.08–0.2 ms in `fused` across runs while `cSse` stayed
 * at 0.09 ms), so a ratio of two such medians says as much about the neighbours as
 * about the code. Here the two alternate: `rounds` times, `reps` timed fused runs
 * (after a short warm-up) then one C run of `reps` timed calls, and the ratio of each
 * round's medians is kept. The reported `fused/cSse` is the median of those per-round
 * ratios: both sides of every ratio ran within the same second, and on the same vCPU
 * (bench/lib/affinity.mjs: this process's main thread and the C run are pinned to one
 * vCPU per round, the vCPUs taken in turn; unpinned where taskset is missing).
 */
import { makeTfRunner } from './tfcols.mjs';
import { median, measure } from './timing.mjs';
import { onRoundCpu } from './affinity.mjs';
import { runNative } from './native.mjs';

/**
 * @param tf        npde's tfjs (the wasm backend active)
 * @param c         the case (bench/lib/inputs.mjs)
 * @param pass      'forward' | 'forward+backward'
 * @param op        the fused op (npde.stencilRelax)
 * @param binary    the cSse executable
 * @param inputFile the case's input file for the C reference
 * @returns `{ ratio, rounds: [{ cpu, fusedMs, cMs, ratio }] }` or `{ error }` (`cpu` null: not pinned)
 */
export async function pairedRatio({ tf, c, pass, op, binary, inputFile, rounds, reps }) {
  const runner = makeTfRunner(tf, c, pass, { op });
  const out = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const round = await onRoundCpu(r, async (cpu) => {
        // The first round warms V8 up (measure's 200 ms minimum); later ones need a few runs only.
        const fused = await measure(runner.once, { warmup: r === 0 ? 3 : 2, reps, minWarmupMs: r === 0 ? undefined : 0 });
        const native = runNative(binary, inputFile, c, pass, { warmup: 2, reps, cpu });
        return native.error ? { error: native.error } : { cpu, fusedMs: fused.medianMs, cMs: native.medianMs, ratio: fused.medianMs / native.medianMs };
      });
      if (round.error) return round;
      out.push(round);
    }
  } finally {
    runner.dispose();
  }
  return { ratio: median(out.map((x) => x.ratio)), rounds: out };
}
