/**
 * One tfjs column on one case and pass: time it, check its outputs against the
 * reference, profile its memory once, dispose, and check for leaked tensors.
 */
import { makeTfRunner } from './tfcols.mjs';
import { TOLERANCE, compareOutputs, measure } from './timing.mjs';

/**
 * @returns `{ ms, check, profile, notes, failed }` (`failed`: the output check failed)
 */
export async function runTfColumn({ tf, c, pass, col, backend, runnerOpts, timing, reference }) {
  await tf.setBackend(backend);
  const notes = [];
  const baseline = tf.memory().numTensors;
  const runner = makeTfRunner(tf, c, pass, runnerOpts);
  let out;
  try {
    const r = await measure(runner.once, timing);
    const check = compareOutputs(runner.outputs(), reference);
    if (!check.ok) {
      notes.push(
        `${col} outputs differ from the JavaScript reference: ${JSON.stringify(check.fields)} (tolerance ${TOLERANCE.forward} forward, ${TOLERANCE.gradient} gradients)`,
      );
    }
    const profile = await runner.profile();
    out = { ms: r.medianMs, minMs: r.minMs, maxMs: r.maxMs, check, profile, notes, failed: !check.ok };
  } finally {
    runner.dispose();
  }
  const leaked = tf.memory().numTensors - baseline;
  if (leaked !== 0) notes.push(`${col}: tf.memory().numTensors is ${leaked > 0 ? '+' : ''}${leaked} after disposal`);
  return out;
}

export function describeColumn(col, res) {
  const k = res.profile.kernels;
  return `  ${col.padEnd(10)} ${res.ms.toFixed(3)} ms  (max diff ${res.check.maxDiff.toExponential(1)}; kernels ${k.slice(0, 6).join(',')}${k.length > 6 ? ',…' : ''})`;
}
