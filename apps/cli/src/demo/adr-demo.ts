import { NeuralPde, Trainer, createDefaultRegistry, stencilRelaxPath, tf, type ModelSpec, type Registry, type Tensor2D, type TrainerEvent } from 'npde';
import type { Observable } from 'rxjs';
import { mseOf, smoothFields, whiteNoise } from './data.js';
import { generateAdrData } from './adr-data.js';
import { relL2, type AdrProfiles } from './profiles.js';

/** Settings of the demo; the defaults are the ones `npm start` uses. */
export interface DemoOptions {
  /** Grid sites (default 64). */
  readonly sites?: number;
  /** Relaxation steps (default 8). */
  readonly layers?: number;
  /** ω (default 0.5). */
  readonly omega?: number;
  /** Training samples (default 1000). */
  readonly samples?: number;
  /** Std of the white-noise inputs (default 1). */
  readonly inputStd?: number;
  /** Output noise as a fraction of the outputs' std (default 0). */
  readonly noise?: number;
  /** Seed of data and noise (default 1). */
  readonly seed?: number;
  /** Adam steps (full batch) for the ADR model (default 400: clean data then reaches the float32 floor, ~1e-7 relative error). */
  readonly epochs?: number;
  /** Adam learning rate, constant (default 0.03; a decaying rate measured worse here). */
  readonly learningRate?: number;
  /** Also train a dense model of the same depth for the same time (default true). */
  readonly dense?: boolean;
  /** Backend name, or names in fallback order (default `wasm`). */
  readonly backend?: string | readonly string[];
  /** Registry (default: a fresh default registry). */
  readonly registry?: Registry;
  /** Called with each trainer's event stream (for progress bars). */
  readonly onTrainer?: (label: 'adr' | 'dense', events$: Observable<TrainerEvent>) => () => void;
}

/** Held-out mean squared errors. */
export interface HeldOut {
  /** On fresh white-noise inputs. */
  readonly white: number;
  /** On smooth inputs (low Fourier modes) never seen in training. */
  readonly smooth: number;
}

/** What the demo measured. */
export interface DemoResult {
  /** tfjs backend that ran it. */
  readonly backend: string;
  /** Output noise as a fraction of the outputs' std. */
  readonly noise: number;
  /** Trainable parameters of the adr model (3N). */
  readonly params: number;
  /** Trainable parameters of the dense model of the same depth (L·N²). */
  readonly denseParams: number;
  /** Wall-clock seconds of the whole demo. */
  readonly seconds: number;
  /** Final training loss (MSE) of the adr model. */
  readonly finalLoss: number;
  /** Relative L2 errors of the learned U, D, R profiles against the true ones. */
  readonly relErr: {
    /** Advection speed. */
    readonly U: number;
    /** Diffusion coefficient. */
    readonly D: number;
    /** Reaction rate. */
    readonly R: number;
  };
  /** Held-out mean squared errors against the clean outputs of the true PDE. */
  readonly heldOut: {
    /** Of the adr model. */
    readonly adr: HeldOut;
    /** Of the dense model (null when skipped). */
    readonly dense: HeldOut | null;
  };
  /** Details for the human-readable report. */
  readonly detail: {
    /** True coefficient profiles. */
    readonly truth: AdrProfiles;
    /** Learned coefficient profiles. */
    readonly learned: AdrProfiles;
    /** Seconds spent training the adr model. */
    readonly adrSeconds: number;
    /** Seconds spent training the dense model (its budget is adrSeconds). */
    readonly denseSeconds: number;
    /** Final training loss of the dense model (null when skipped). */
    readonly denseFinalLoss: number | null;
    /** Adam steps taken by the adr model. */
    readonly epochs: number;
    /** Adam steps the dense model fitted into the same time. */
    readonly denseEpochs: number;
    /** Training samples. */
    readonly samples: number;
    /** Relaxation steps. */
    readonly layers: number;
    /** ω. */
    readonly omega: number;
    /** Grid sites N. */
    readonly sites: number;
    /** How the adr model's steps ran: `fused-zero-copy`, `fused-copy`, `fused-cpu` or `op-path`. */
    readonly stencilPath: string;
  };
}

/**
 * The `npde demo` experiment: data from a known heterogeneous 1-D ADR PDE,
 * an `adr` heterogeneous model trained on it (recovering U, D, R), and a
 * `dense` model of the same depth trained on the same data for the same time.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const N = options.sites ?? 64;
  const L = options.layers ?? 8;
  const omega = options.omega ?? 0.5;
  const n = options.samples ?? 1000;
  const std = options.inputStd ?? 1;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 1;
  const registry = options.registry ?? createDefaultRegistry();
  const report = await registry.ready({ backend: options.backend ?? 'wasm' });

  const data = generateAdrData({ sites: N, samples: n, layers: L, omega, inputStd: std, noise, seed, registry });
  const { x, y, truth, truthModel, spec: adrSpec } = data;
  const testWhite = whiteNoise(500, N, std, seed + 2000);
  const testSmooth = smoothFields(500, N, std, seed + 3000);
  const targets = { white: truthModel.predict(testWhite) as Tensor2D, smooth: truthModel.predict(testSmooth) as Tensor2D };
  truthModel.dispose();

  const heldOut = (m: NeuralPde): HeldOut => {
    const pw = m.predict(testWhite) as Tensor2D;
    const ps = m.predict(testSmooth) as Tensor2D;
    const r = { white: mseOf(pw, targets.white), smooth: mseOf(ps, targets.smooth) };
    tf.dispose([pw, ps]);
    return r;
  };

  const adam = {
    id: '@npde/optimizers/adam',
    options: { learningRate: options.learningRate ?? 0.03 },
  };
  const model = NeuralPde.create(adrSpec, { registry });
  const stencilPath = model.fused ? stencilRelaxPath().mode : 'op-path';
  const trainer = new Trainer({ registry });
  const stopAdr = options.onTrainer?.('adr', trainer.events$);
  let fit;
  try {
    fit = await trainer.fit(model, { x, y }, { optimizer: adam, epochs: options.epochs ?? 400 });
  } finally {
    stopAdr?.();
  }
  const learned: AdrProfiles = {
    U: Array.from(model.parameters['kernel/U']!.dataSync()),
    D: Array.from(model.parameters['kernel/D']!.dataSync()),
    R: Array.from(model.parameters['kernel/R']!.dataSync()),
  };
  const adrHeldOut = heldOut(model);
  const params = model.paramCount;
  model.dispose();

  let dense: { heldOut: HeldOut; params: number; seconds: number; loss: number; epochs: number } | null = null;
  const denseSpec: ModelSpec = { ...adrSpec, kernel: { id: '@npde/kernels/dense', options: { init: 'identity', noise: 0.01 } } };
  const denseModel = NeuralPde.create(denseSpec, { registry });
  const denseParams = denseModel.paramCount;
  if (options.dense ?? true) {
    const denseTrainer = new Trainer({ registry });
    const stopDense = options.onTrainer?.('dense', denseTrainer.events$);
    try {
      const r = await denseTrainer.fit(denseModel, { x, y }, {
        optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } },
        epochs: 100_000,
        timeLimit: fit.seconds,
      });
      dense = { heldOut: heldOut(denseModel), params: denseParams, seconds: r.seconds, loss: r.loss, epochs: r.epochs };
    } finally {
      stopDense?.();
    }
  }
  denseModel.dispose();
  tf.dispose([x, y, testWhite, testSmooth, targets.white, targets.smooth]);

  return {
    backend: report.name,
    noise,
    params,
    denseParams,
    seconds: (performance.now() - t0) / 1000,
    finalLoss: fit.loss,
    relErr: { U: relL2(learned.U, truth.U), D: relL2(learned.D, truth.D), R: relL2(learned.R, truth.R) },
    heldOut: { adr: adrHeldOut, dense: dense?.heldOut ?? null },
    detail: {
      truth,
      learned,
      adrSeconds: fit.seconds,
      denseSeconds: dense?.seconds ?? 0,
      denseFinalLoss: dense?.loss ?? null,
      epochs: fit.epochs,
      denseEpochs: dense?.epochs ?? 0,
      samples: n,
      layers: L,
      omega,
      sites: N,
      stencilPath,
    },
  };
}
