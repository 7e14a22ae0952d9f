/**
 * End-to-end training, npde against PyTorch: `npde demo`'s ADR model (heterogeneous
 * U, D, R on a periodic grid, 8 tanh relaxation steps, ω = 0.5, 1000 × 64 white-noise
 * samples, full-batch Adam at 0.03 for 400 steps, mean squared error), trained on the
 * SAME x and y by npde (Trainer.fit on the wasm backend, exactly what runDemo does)
 * and by bench/torch/torch_bench.py with 1 and 2 threads (torch.roll stencil,
 * torch.optim.Adam). The data are made the way runDemo makes them (generateAdrData:
 * tf.randomNormal with seed 1, the true model's outputs, no noise).
 *
 * Runs are interleaved (npde, torch1, torch2, npde, …) and the median is reported,
 * with each run's final loss and relative L2 errors of the learned U, D, R. npde's
 * runs take the vCPUs in turn (its main thread pinned, bench/lib/affinity.mjs), so that
 * a vCPU slowed by a neighbour for a while cannot hold every npde run; PyTorch is not
 * pinned (torch2 uses both). The ratios are the median of the per-round ratios: both
 * sides of each ratio ran back to back.
 */
import { onRoundCpu } from './affinity.mjs';
import { median } from './timing.mjs';

const DEMO = { sites: 64, samples: 1000, layers: 8, omega: 0.5, epochs: 400, lr: 0.03, seed: 1, init: { U: 0, D: 0.1, R: 0 } };
const QUICK = { sites: 16, samples: 64, layers: 2, epochs: 20 };

/** The demo problem's settings (`quick`: a tiny one). */
export function demoProblem({ quick, epochs } = {}) {
  return { ...DEMO, ...(quick ? QUICK : {}), ...(epochs ? { epochs } : {}) };
}

/** The demo's model spec for settings `o`. */
export function adrSpec(o) {
  return {
    field: { shape: [o.sites] },
    layers: o.layers,
    activation: '@npde/activations/tanh',
    omega: o.omega,
    kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic', dx: 1, init: o.init } },
  };
}

function relL2(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

export function trueProfiles(N) {
  const q = Array.from({ length: N }, (_, i) => (2 * Math.PI * i) / N);
  return {
    U: q.map((t) => 0.3 + 0.2 * Math.sin(t)),
    D: q.map((t) => 0.2 + 0.1 * Math.cos(t)),
    R: q.map((t) => -0.1 + 0.05 * Math.sin(2 * t)),
  };
}

/**
 * How the model's block runs: `{ fused, mode, fusion }`, `mode` the fused step op's
 * (`fused-zero-copy`, …, `op-path`), `fusion` the block's choice (`trajectory`: one
 * kernel call for all steps, `step`: one per step, `unfused`), null where the build predates it.
 */
export function blockPath(npde, model) {
  return {
    fused: model.fused,
    mode: model.fused && typeof npde.stencilRelaxPath === 'function' ? npde.stencilRelaxPath().mode : 'op-path',
    fusion: model.pde?.fusionPath ?? null,
  };
}

function summary(runs) {
  if (!runs.length) return null;
  const mid = (f) => median(runs.map(f));
  return {
    seconds: mid((r) => r.seconds),
    minSeconds: Math.min(...runs.map((r) => r.seconds)),
    finalLoss: mid((r) => r.finalLoss),
    relErr: { U: mid((r) => r.relErr.U), D: mid((r) => r.relErr.D), R: mid((r) => r.relErr.R) },
    runs,
  };
}

/**
 * The demo's data on the wasm backend, made as runDemo makes them (generateAdrData
 * with noise 0): `{ registry, spec, truth, x, y }` (the caller disposes x and y).
 */
export async function demoData(npde, o) {
  const { tf } = npde;
  await tf.setBackend('wasm');
  const registry = npde.createDefaultRegistry();
  await registry.ready({ backend: 'wasm' });
  const spec = adrSpec(o);
  const truth = trueProfiles(o.sites);
  const truthModel = npde.NeuralPde.create(spec, { registry });
  truthModel.setWeights({ 'kernel/U': truth.U, 'kernel/D': truth.D, 'kernel/R': truth.R }, { partial: true });
  const x = tf.randomNormal([o.samples, o.sites], 0, 1, 'float32', o.seed);
  const y = truthModel.predict(x);
  truthModel.dispose();
  return { registry, spec, truth, x, y };
}

/**
 * @param npde   the built npde namespace
 * @param torch  startTorch()'s handle (or `{ available: false, why }`)
 * @param quick  a tiny problem (smoke run)
 * @param reps   interleaved rounds (median reported)
 * @param epochs override of the Adam steps
 */
export async function trainingComparison({ npde, torch, quick, reps, epochs, log }) {
  const { tf } = npde;
  const o = demoProblem({ quick, epochs });
  const notes = [];
  const { registry, spec, truth, x, y } = await demoData(npde, o);
  const xs = x.dataSync().slice();
  const ys = y.dataSync().slice();

  let path = null;
  const npdeOnce = async (epochsNow) => {
    const model = npde.NeuralPde.create(spec, { registry });
    path = blockPath(npde, model);
    const trainer = new npde.Trainer({ registry });
    try {
      const fit = await trainer.fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: o.lr } }, epochs: epochsNow });
      path = { ...path, ran: model.pde?.lastPath ?? null };
      const learned = { U: Array.from(model.parameters['kernel/U'].dataSync()), D: Array.from(model.parameters['kernel/D'].dataSync()), R: Array.from(model.parameters['kernel/R'].dataSync()) };
      return { seconds: fit.seconds, finalLoss: fit.loss, relErr: { U: relL2(learned.U, truth.U), D: relL2(learned.D, truth.D), R: relL2(learned.R, truth.R) } };
    } finally {
      model.dispose();
    }
  };

  const runs = { npde: [] };
  let files = null;
  const torchJob = (epochsNow) =>
    torch.job({ kind: 'train', ...files, samples: o.samples, sites: o.sites, layers: o.layers, omega: o.omega, epochs: epochsNow, lr: o.lr, dx: 1, init: o.init, truth, threads: [1, 2], reps: 1 });
  if (torch?.available) {
    files = { x: torch.writeFloats('train-x.bin', [xs]), y: torch.writeFloats('train-y.bin', [ys]) };
    runs.torch1 = [];
    runs.torch2 = [];
  } else {
    notes.push(`torch: skipped (${torch?.why ?? 'not started'})`);
  }
  try {
    log('  training warm-up…');
    await npdeOnce(Math.min(5, o.epochs));
    if (files) await torchJob(Math.min(5, o.epochs));
    for (let r = 0; r < reps; r++) {
      log(`  training round ${r + 1}/${reps}: npde…`);
      runs.npde.push(await onRoundCpu(r, async (cpu) => ({ ...(await npdeOnce(o.epochs)), cpu })));
      if (files) {
        log(`  training round ${r + 1}/${reps}: torch (1 and 2 threads)…`);
        const res = await torchJob(o.epochs);
        runs.torch1.push(res.results['1'][0]);
        runs.torch2.push(res.results['2'][0]);
      }
    }
  } finally {
    tf.dispose([x, y]);
  }
  const out = {
    problem: { ...o, model: 'adr heterogeneous, periodic, tanh, no bias', loss: 'mse', optimizer: 'adam (β = 0.9, 0.999, ε = 1e-8)' },
    reps,
    npde: { ...summary(runs.npde), path },
    torch1: summary(runs.torch1 ?? []),
    torch2: summary(runs.torch2 ?? []),
    notes,
  };
  const perRound = (other) => (runs[other]?.length ? median(runs.npde.map((n, i) => n.seconds / runs[other][i].seconds)) : null);
  out.ratios = { 'npde/torch1': perRound('torch1'), 'npde/torch2': perRound('torch2') };
  out.ratiosOfMedians = {
    'npde/torch1': out.torch1 ? out.npde.seconds / out.torch1.seconds : null,
    'npde/torch2': out.torch2 ? out.npde.seconds / out.torch2.seconds : null,
  };
  return out;
}
