/**
 * `--profile`: where one training step of the demo's model goes (1000 × 64 samples,
 * 8 steps, full-batch Adam — the training comparison's problem), on the wasm backend.
 *
 * Phases, timed round robin (one run of each per round; median of `reps` rounds
 * after warm-up), wall clock:
 *   forward      tf.tidy(model.forward(x))
 *   loss         tf.tidy(mse(model.forward(x), y)) minus forward (npde's `mse`, as Trainer.fit uses it)
 *   backward     tf.variableGrads(mse(model.forward(x), y)) minus forward and loss
 *   optimizer    the Adam plugin's step given ready gradients (its lossAndGrads
 *                returns clones of gradients computed once)
 *   trainer      Trainer.fit's seconds per epoch minus all of the above (the
 *                loop's bookkeeping: batches, events, divergence checks, snapshots)
 * and, from one extra run of each phase under tf.profile, the kernels that ran:
 * how many, and the sum of their own times (`kernelTimeMs`, the wasm backend's
 * wall time around each kernel function). Wall minus kernel time is the engine's
 * overhead (dispatch, tensor bookkeeping, tape, scalar uploads) — what fusing
 * more work into fewer kernels removes.
 *
 * Part of that overhead is host → backend uploads: every tensor tfjs makes from a JS
 * array goes through `engine.makeTensor` (numbers turned into scalars, the zero
 * gradients the engine makes for a kernel output nothing differentiates, the ones
 * that tfjs's mean/sum gradients multiply by). `uploads` counts them per phase (calls,
 * KiB, and the wall time spent inside makeTensor, allocation of the JS array excluded).
 */
import { median, now } from './timing.mjs';
import { blockPath, demoData, demoProblem } from './training.mjs';

async function roundRobin(fns, { warmup, reps }) {
  const names = Object.keys(fns);
  const ms = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < warmup + reps; i++) {
    for (const n of names) {
      const t = now();
      await fns[n]();
      if (i >= warmup) ms[n].push(now() - t);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(ms[n])]));
}

/** Kernels of `fn` under tf.profile, `runs` times: the run with the median total kernel time. */
async function kernelsOf(tf, fn, runs = 5) {
  const all = [];
  for (let r = 0; r < runs; r++) {
    const info = await tf.profile(() => {
      fn();
    });
    const byName = {};
    let total = 0;
    for (const k of info.kernels) {
      const t = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      total += t;
      byName[k.name] ??= { calls: 0, ms: 0 };
      byName[k.name].calls++;
      byName[k.name].ms += t;
    }
    const top = Object.entries(byName)
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 8)
      .map(([name, v]) => ({ name, calls: v.calls, ms: v.ms }));
    all.push({ calls: info.kernels.length, kernelMs: total, top });
  }
  all.sort((a, b) => a.kernelMs - b.kernelMs);
  return all[all.length >> 1];
}

/**
 * Host → backend uploads of one run of `fn` (`engine.makeTensor` calls: count, KiB, ms
 * inside), the median of `runs` runs by time. makeTensor is wrapped only while `fn` runs.
 */
async function uploadsOf(tf, fn, runs = 5) {
  const engine = tf.engine();
  const original = engine.makeTensor;
  const all = [];
  for (let r = 0; r < runs; r++) {
    const u = { calls: 0, kib: 0, ms: 0 };
    engine.makeTensor = function (values, shape, dtype, backend) {
      const t = now();
      try {
        return original.call(this, values, shape, dtype, backend);
      } finally {
        u.ms += now() - t;
        u.calls++;
        u.kib += (values?.byteLength ?? (Array.isArray(values) ? values.length * 4 : 4)) / 1024;
      }
    };
    try {
      await fn();
    } finally {
      engine.makeTensor = original;
    }
    all.push(u);
  }
  all.sort((a, b) => a.ms - b.ms);
  return all[all.length >> 1];
}

/**
 * @returns `{ problem, path, stepMs, phases: { forward, loss, backward, optimizer, trainer }, notes }`,
 * each phase `{ wallMs, kernelMs, kernelCalls, overheadMs, top }`.
 */
export async function profileTraining({ npde, quick, log }) {
  const { tf } = npde;
  const o = demoProblem({ quick });
  const reps = quick ? 3 : 30;
  const timing = { warmup: quick ? 1 : 5, reps };
  const { registry, spec, x, y } = await demoData(npde, o);
  const model = npde.NeuralPde.create(spec, { registry });
  const notes = [];
  const vars = model.trainableVariables;
  // The trainer's own loss (its hand-written gradient included) where the build exports it.
  const mse = npde.mse?.compute ? (p) => npde.mse.compute(p, y) : (p) => tf.mean(tf.squaredDifference(p, y));
  try {
    const path = blockPath(npde, model);
    log('  profile: forward, loss, gradients…');
    const fwd = () => tf.dispose(tf.tidy(() => model.forward(x)));
    const fwdLoss = () => tf.dispose(tf.tidy(() => mse(model.forward(x))));
    const grads = () =>
      tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => mse(model.forward(x)), vars);
        tf.dispose([value, ...Object.values(g)]);
      });

    log('  profile: optimizer…');
    const fixed = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => mse(model.forward(x)), vars);
      value.dispose();
      return vars.map((v) => tf.keep(g[v.name]));
    });
    const { plugin, options } = registry.resolve('optimizer', { id: '@npde/optimizers/adam', options: { learningRate: 1e-9 } }, 'optimizer');
    const adam = plugin.create({ options });
    const problem = {
      variables: vars,
      batch: { x, y },
      model: undefined,
      iteration: 0,
      loss: () => tf.scalar(0),
      lossAndGrads: () => ({ loss: tf.scalar(0), grads: fixed.map((g) => g.clone()) }),
    };
    const weights = model.getWeights();
    // Round robin (one run of each phase per round), so that load that comes and goes hits all phases alike.
    const wall = await roundRobin({ forward: fwd, forwardLoss: fwdLoss, grads, optimizer: () => adam.step(problem) }, timing);

    const kernels = {
      forward: await kernelsOf(tf, fwd),
      forwardLoss: await kernelsOf(tf, fwdLoss),
      grads: await kernelsOf(tf, grads),
      optimizer: await kernelsOf(tf, () => adam.step(problem)),
    };
    const uploads = {
      forward: await uploadsOf(tf, fwd),
      forwardLoss: await uploadsOf(tf, fwdLoss),
      grads: await uploadsOf(tf, grads),
      optimizer: await uploadsOf(tf, () => adam.step(problem)),
    };
    const minus = (a, b) => ({ calls: a.calls - b.calls, kib: a.kib - b.kib, ms: a.ms - b.ms });
    adam.dispose();
    model.setWeights(weights);
    tf.dispose([...fixed, ...Object.values(weights)]);

    log('  profile: Trainer.fit…');
    const epochs = quick ? 5 : 100;
    const trainer = new npde.Trainer({ registry });
    const fitFresh = async (n) => {
      const fresh = npde.NeuralPde.create(spec, { registry });
      try {
        const fit = await trainer.fit(fresh, { x, y }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: o.lr } }, epochs: n });
        return (fit.seconds * 1000) / n;
      } finally {
        fresh.dispose();
      }
    };
    await fitFresh(5);
    const fits = [];
    for (let r = 0; r < (quick ? 1 : 3); r++) fits.push(await fitFresh(epochs));
    const stepMs = median(fits);

    const phase = (wallMs, k, up) => ({ wallMs, kernelMs: k?.kernelMs ?? null, kernelCalls: k?.calls ?? null, overheadMs: k ? wallMs - k.kernelMs : null, uploads: up ?? null, top: k?.top ?? [] });
    const diff = (a, b) => (a && b ? { calls: a.calls - b.calls, kernelMs: a.kernelMs - b.kernelMs, top: a.top } : null);
    const phases = {
      forward: phase(wall.forward, kernels.forward, uploads.forward),
      loss: phase(wall.forwardLoss - wall.forward, diff(kernels.forwardLoss, kernels.forward), minus(uploads.forwardLoss, uploads.forward)),
      backward: phase(wall.grads - wall.forwardLoss, diff(kernels.grads, kernels.forwardLoss), minus(uploads.grads, uploads.forwardLoss)),
      optimizer: phase(wall.optimizer, kernels.optimizer, uploads.optimizer),
      trainer: phase(stepMs - wall.grads - wall.optimizer, null),
    };
    phases.loss.top = [];
    phases.backward.top = kernels.grads.top;
    notes.push(
      'phases are timed separately (medians) and subtracted: loss = (forward+loss) − forward, backward = gradients − (forward+loss), trainer = Trainer.fit per epoch − gradients − optimizer; small or negative differences are noise',
      'kernelMs sums tf.profile\'s kernelTimeMs (wall time around each wasm kernel function, from one profiled run); overheadMs = wallMs − kernelMs is the engine\'s per-op cost',
      'backward.top lists the kernels of the whole gradient computation (forward, loss and backward)',
      "uploads: tensors made from JS arrays (engine.makeTensor: scalars from numbers, the engine's zero gradients for kernel outputs nothing differentiates, the ones of mean/sum gradients), per phase as calls/KiB/ms inside makeTensor (one run each, the median of 5 by time)",
    );
    return { problem: { samples: o.samples, sites: o.sites, layers: o.layers, optimizer: 'adam' }, reps, path, stepMs, phases, notes };
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
}

/** The profile as text. */
export function profileText(p) {
  if (p.skipped) return `profile: skipped (${p.skipped.split('\n')[0]})`;
  const f = (v) => (v == null ? '—' : v.toFixed(3));
  const lines = [
    `profile of one training step (${p.problem.samples} × ${p.problem.sites}, ${p.problem.layers} steps, ${p.problem.optimizer}; path ${JSON.stringify(p.path)}): ${p.stepMs.toFixed(3)} ms per step (Trainer.fit)`,
    'phase       wall ms  kernel ms  kernels  overhead ms  uploads (n/KiB/ms)  top kernels (ms, calls)',
  ];
  for (const [name, ph] of Object.entries(p.phases)) {
    const top = ph.top.slice(0, 5).map((k) => `${k.name} ${k.ms.toFixed(2)}/${k.calls}`).join(', ');
    const up = ph.uploads ? `${ph.uploads.calls}/${ph.uploads.kib.toFixed(0)}/${ph.uploads.ms.toFixed(2)}` : '—';
    lines.push(`${name.padEnd(10)}  ${f(ph.wallMs).padStart(7)}  ${f(ph.kernelMs).padStart(9)}  ${String(ph.kernelCalls ?? '—').padStart(7)}  ${f(ph.overheadMs).padStart(11)}  ${up.padStart(18)}  ${top}`);
  }
  return lines.join('\n');
}
