// The docs site's playground: the demo's ADR recovery, small enough to train live in the
// reader's browser on the wasm backend. Data come from a known heterogeneous ADR model
// (the demo's true U, D, R profiles); a model of the chosen family learns from it while the
// loss curve and the true and learned profiles are redrawn. Bundled by ../plugin-site-assets.mjs.
import { NeuralPde, Trainer, createDefaultRegistry, tf, type ModelSpec, type Registry } from 'npde';
import { addNoise, whiteNoise } from '../../cli/src/demo/data.js';
import { relL2, trueProfiles, type AdrProfiles } from '../../cli/src/demo/profiles.js';
import { linePlot } from './plot.js';

/** What the reader can change. */
export interface PlaygroundSettings {
  /** Output noise as a fraction of the outputs' standard deviation. */
  readonly noise: number;
  /** ADR family of the learner. */
  readonly family: 'homogeneous' | 'heterogeneous' | 'time-dependent';
  /** Relaxation steps L of both the data and the learner. */
  readonly layers: number;
}

/** The playground's live state, also published on `globalThis.npdePlayground` for the site's test. */
export interface PlaygroundState {
  /** `loading`, `ready`, `training`, `done` or `error`. */
  status: string;
  /** tfjs backend in use. */
  backend: string;
  /** Epochs run. */
  epoch: number;
  /** Training loss per epoch. */
  losses: number[];
  /** Relative L2 errors of the learned (layer-averaged) profiles against the true ones. */
  relErr: { U: number; D: number; R: number };
  /** Settings of the current or last run. */
  settings: PlaygroundSettings;
  /** Error message when `status` is `error`. */
  error?: string;
}

const SITES = 32;
const SAMPLES = 256;
const OMEGA = 0.5;
const EPOCHS = 600;
const REDRAW_EVERY = 5;

function adrSpec(family: PlaygroundSettings['family'], layers: number): ModelSpec {
  return {
    field: { shape: [SITES] },
    layers,
    omega: OMEGA,
    activation: '@npde/activations/tanh',
    kernel: { id: '@npde/kernels/adr', options: { family, boundary: 'periodic', init: { U: 0, D: 0.1, R: 0 } } },
  };
}

/** The learned profiles, averaged over layers for the time-dependent family. */
function learnedProfiles(model: NeuralPde): AdrProfiles {
  const out: Record<string, number[]> = {};
  for (const q of model.kernel.physics!()) {
    out[q.name] = Array.from({ length: SITES }, (_, s) => q.values.reduce((sum, layer) => sum + layer[s]!, 0) / q.values.length);
  }
  return out as unknown as AdrProfiles;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function select(label: string, name: string, options: readonly [string, string][], value: string): HTMLLabelElement {
  const l = element('label', {}, label);
  const s = element('select', { name });
  for (const [v, text] of options) s.append(element('option', { value: v }, text));
  s.value = value;
  l.append(s);
  return l;
}

/**
 * Build the playground inside `mount` and start the wasm backend, fetching its .wasm files
 * from `wasmPaths`. With `?autorun` in the page's URL, training starts at once.
 */
export async function mountPlayground(mount: HTMLElement, wasmPaths: string): Promise<void> {
  const state: PlaygroundState = {
    status: 'loading',
    backend: '',
    epoch: 0,
    losses: [],
    relErr: { U: NaN, D: NaN, R: NaN },
    settings: { noise: 0, family: 'heterogeneous', layers: 4 },
  };
  (globalThis as { npdePlayground?: PlaygroundState }).npdePlayground = state;

  const controls = element('div', { class: 'controls' });
  const noise = select('output noise', 'noise', [['0', 'none'], ['0.01', '1 %'], ['0.05', '5 %']], '0');
  const family = select('kernel family', 'family', [['homogeneous', 'homogeneous (3)'], ['heterogeneous', 'heterogeneous (3N)'], ['time-dependent', 'time-dependent (3NL)']], 'heterogeneous');
  const depth = select('depth L', 'layers', [['2', '2'], ['4', '4'], ['8', '8']], '4');
  const button = element('button', { type: 'button', disabled: '' }, 'Train');
  controls.append(noise, family, depth, button);
  const status = element('div', { class: 'status' }, 'Starting the wasm backend…');
  const plots = element('div', { class: 'plots' });
  const panels = { loss: element('div'), U: element('div'), D: element('div'), R: element('div') };
  plots.append(panels.loss, panels.U, panels.D, panels.R);
  mount.replaceChildren(controls, status, plots);

  const truth = trueProfiles(SITES);
  const sites = Array.from({ length: SITES }, (_, i) => i);
  const draw = (model: NeuralPde | undefined) => {
    const learned = model ? learnedProfiles(model) : undefined;
    for (const name of ['U', 'D', 'R'] as const) {
      const series = [{ label: 'true', x: sites, y: truth[name], dashed: true }];
      if (learned) series.push({ label: 'learned', x: sites, y: learned[name], dashed: false });
      panels[name].innerHTML = linePlot({ title: `${name}(q)`, xLabel: 'site q', series });
      if (learned) state.relErr[name] = relL2(learned[name], truth[name]);
    }
    const epochs = state.losses.map((_, i) => i + 1);
    panels.loss.innerHTML = linePlot({ title: 'training loss (MSE)', xLabel: 'epoch', logY: true, series: [{ label: 'loss', x: epochs, y: state.losses, dashed: false }] });
  };
  draw(undefined);

  let registry: Registry;
  try {
    registry = createDefaultRegistry();
    const report = await registry.ready({ backend: 'wasm', backendOptions: { wasm: { wasmPaths } } });
    state.backend = report.name;
  } catch (err) {
    state.status = 'error';
    state.error = String(err);
    status.textContent = `The wasm backend did not start: ${String(err)}`;
    return;
  }

  let abort: AbortController | undefined;
  const train = async () => {
    const settings: PlaygroundSettings = {
      noise: Number((noise.querySelector('select') as HTMLSelectElement).value),
      family: (family.querySelector('select') as HTMLSelectElement).value as PlaygroundSettings['family'],
      layers: Number((depth.querySelector('select') as HTMLSelectElement).value),
    };
    Object.assign(state, { status: 'training', epoch: 0, losses: [], settings, relErr: { U: NaN, D: NaN, R: NaN } });
    abort = new AbortController();
    button.textContent = 'Stop';
    const truthModel = NeuralPde.create(adrSpec('heterogeneous', settings.layers), { registry });
    truthModel.setWeights({ 'kernel/U': truth.U, 'kernel/D': truth.D, 'kernel/R': truth.R }, { partial: true });
    const x = whiteNoise(SAMPLES, SITES, 1, 1);
    const clean = truthModel.predict(x);
    const y = addNoise(clean as never, settings.noise, 1001);
    clean.dispose();
    truthModel.dispose();
    const model = NeuralPde.create(adrSpec(settings.family, settings.layers), { registry });
    try {
      const fit = await new Trainer({ registry }).fit(model, { x, y }, {
        optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.03 } },
        epochs: EPOCHS,
        signal: abort.signal,
        callbacks: [
          {
            onEpochEnd: async (epoch, logs) => {
              state.epoch = epoch;
              state.losses.push(logs['loss']!);
              if (epoch % REDRAW_EVERY === 0) {
                draw(model);
                status.textContent = `epoch ${epoch}: loss ${logs['loss']!.toExponential(2)}; relative error U ${(100 * state.relErr.U).toFixed(2)} %, D ${(100 * state.relErr.D).toFixed(2)} %, R ${(100 * state.relErr.R).toFixed(2)} %`;
                await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint
              }
            },
          },
        ],
      });
      draw(model);
      state.status = 'done';
      status.textContent = `${fit.reason} after ${fit.epochs} epochs (${fit.seconds.toFixed(1)} s on ${state.backend}): relative error U ${(100 * state.relErr.U).toFixed(2)} %, D ${(100 * state.relErr.D).toFixed(2)} %, R ${(100 * state.relErr.R).toFixed(2)} %`;
    } catch (err) {
      state.status = 'error';
      state.error = String(err);
      status.textContent = `Training failed: ${String(err)}`;
    } finally {
      model.dispose();
      tf.dispose([x, y]);
      button.textContent = 'Train';
      abort = undefined;
    }
  };
  button.addEventListener('click', () => {
    if (abort) abort.abort();
    else void train();
  });
  button.removeAttribute('disabled');
  state.status = 'ready';
  status.textContent = `Ready on ${state.backend}: ${SAMPLES} white-noise fields of ${SITES} sites, L relaxation steps of a known ADR model with ω = ${OMEGA}. Press Train.`;
  if (new URLSearchParams(location.search).has('autorun')) void train();
}
