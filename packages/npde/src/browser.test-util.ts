// The page script of browser.spec.ts: bundled by esbuild for the browser from the
// `npde` umbrella (its browser entry), run in headless Chromium. It trains a small
// ADR model on the wasm backend, saves it to memory:// and IndexedDB, loads it back
// and returns plain numbers to Node.
import { NeuralPde, Trainer, backendWasm, createDefaultRegistry, loadModel, saveModel, tf, type Tensor } from 'npde';

/** What the page reports back to the spec. */
export interface BrowserRunResult {
  readonly backend: string;
  readonly ready: string;
  readonly fusedMode: string;
  readonly fusedReason: string;
  readonly losses: readonly number[];
  readonly predictionShape: readonly number[];
  readonly predictionFinite: boolean;
  /** Largest |Δ| between the trained model's and each loaded copy's predictions. */
  readonly memoryMaxDiff: number;
  readonly indexedDbMaxDiff: number;
  /** Whether the loaded copies predict bit for bit the same. */
  readonly memoryIdentical: boolean;
  readonly indexedDbIdentical: boolean;
  /** Node-only globals visible to the page (none expected). */
  readonly nodeGlobals: readonly string[];
}

function compare(a: Tensor, b: Tensor): { max: number; identical: boolean } {
  const da = a.dataSync();
  const db = b.dataSync();
  let max = 0;
  let identical = da.length === db.length;
  for (let i = 0; i < da.length; i++) {
    max = Math.max(max, Math.abs(da[i]! - db[i]!));
    if (!Object.is(da[i], db[i])) identical = false;
  }
  return { max, identical };
}

async function run(wasmPaths: string): Promise<BrowserRunResult> {
  const nodeGlobals = ['process', 'Buffer', 'setImmediate', '__dirname', 'require'].filter((g) => g in globalThis);
  const registry = createDefaultRegistry();
  const report = await registry.ready({ backend: 'wasm', backendOptions: { wasm: { wasmPaths } } });
  const spec = {
    field: { shape: [16] },
    layers: 4,
    omega: 0.5,
    kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous', boundary: 'periodic' } },
    activation: '@npde/activations/tanh',
  } as const;
  const model = NeuralPde.create(spec, { registry });
  const truth = NeuralPde.create(spec, { registry });
  truth.setWeights({ 'kernel/U': [0.2], 'kernel/D': [0.15], 'kernel/R': [-0.05] }, { partial: true });
  const x = tf.randomNormal([32, 16], 0, 1, 'float32', 1);
  const y = truth.predict(x);
  const fit = await new Trainer({ registry }).fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } }, epochs: 8 });
  const prediction = model.predict(x);
  const finite = prediction.dataSync().every(Number.isFinite);

  await saveModel(model, 'memory://browser-spec');
  const fromMemory = await loadModel('memory://browser-spec', { registry });
  await saveModel(model, 'indexeddb://npde-browser-spec');
  const fromIndexedDb = await loadModel('indexeddb://npde-browser-spec', { registry });
  const m = compare(prediction, fromMemory.predict(x));
  const i = compare(prediction, fromIndexedDb.predict(x));
  const fused = backendWasm.fusedKernelMode();
  return {
    backend: tf.getBackend(),
    ready: report.name,
    fusedMode: fused.mode,
    fusedReason: fused.reason,
    losses: fit.history.loss,
    predictionShape: prediction.shape,
    predictionFinite: finite,
    memoryMaxDiff: m.max,
    indexedDbMaxDiff: i.max,
    memoryIdentical: m.identical,
    indexedDbIdentical: i.identical,
    nodeGlobals,
  };
}

(globalThis as { npdeBrowserRun?: typeof run }).npdeBrowserRun = run;
