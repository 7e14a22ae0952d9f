import { ErrorCodes, ModelFileError, describeValue, tf } from '@npde/core';

/** The weight files of a TensorFlow.js model: one buffer holding every shard in manifest order, or the shards by their `paths` entry. */
export type TfjsWeightData = ArrayBuffer | Readonly<Record<string, ArrayBuffer>>;

/** A Dense layer of a foreign model: Keras's `y = f(x K + b)`. */
export interface ForeignDenseLayer {
  /** Layer kind. */
  readonly kind: 'dense';
  /** The layer's name in the topology. */
  readonly name: string;
  /** Its Keras class name (`Dense`). */
  readonly className: string;
  /** The activation's name (`linear`, `tanh`, …). */
  readonly activation: string;
  /** Input width (rows of K). */
  readonly inputs: number;
  /** Output width `units` (columns of K). */
  readonly units: number;
  /** K row-major, `[inputs, units]`: `kernel[j * units + i] = K_ji`. */
  readonly kernel: Float64Array;
  /** b, `[units]`, or undefined without a bias. */
  readonly bias?: Float64Array;
}

/** A convolution of a foreign model (Conv1D, Conv2D or DepthwiseConv2D). */
export interface ForeignConvLayer {
  /** Layer kind. */
  readonly kind: 'conv1d' | 'conv2d' | 'depthwise-conv2d';
  /** The layer's name in the topology. */
  readonly name: string;
  /** Its Keras class name. */
  readonly className: string;
  /** The activation's name. */
  readonly activation: string;
  /** Kernel extent per spatial axis (`[k]` or `[kh, kw]`). */
  readonly kernelSize: readonly number[];
  /** Dilation per spatial axis. */
  readonly dilation: readonly number[];
  /** Padding mode (`same`, `valid`, `causal`). */
  readonly padding: string;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels (`in × depth_multiplier` for a depthwise convolution). */
  readonly outChannels: number;
  /**
   * Taps `[...kernelSize, in, outPerIn]` row-major as tfjs stores them: for
   * Conv `outPerIn = outChannels` (the kernel `[kh, kw, in, out]`); for
   * DepthwiseConv2D `outPerIn = depth_multiplier` (output channel `c·m + k` reads input `c` only).
   */
  readonly kernel: Float64Array;
  /** b per output channel, or undefined. */
  readonly bias?: Float64Array;
}

/** Any other layer: listed, not read. */
export interface ForeignOtherLayer {
  /** Layer kind. */
  readonly kind: 'other';
  /** The layer's name. */
  readonly name: string;
  /** Its Keras class name. */
  readonly className: string;
}

/** One layer of a foreign model. */
export type ForeignLayer = ForeignDenseLayer | ForeignConvLayer | ForeignOtherLayer;

/** A TensorFlow.js Layers model as npde reads it: its layers in topology order (nested models flattened). */
export interface ForeignModel {
  /** `format` of model.json (`layers-model`). */
  readonly format: string;
  /** `generatedBy` of model.json, when present. */
  readonly generatedBy?: string;
  /** The layers. */
  readonly layers: readonly ForeignLayer[];
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

function bad(summary: string, path: string, expected: string, received: unknown): ModelFileError {
  return new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, summary, {
    path,
    expected,
    received: describeValue(received),
    hint: 'Pass the parsed model.json of a TensorFlow.js Layers model (model.save() or tensorflowjs_converter output) and its weight files.',
  });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function concat(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** Every leaf layer config of a topology, nested Sequential / Model / Functional layers flattened in order. */
function leafLayers(config: unknown, path: string): { className: string; config: Record<string, unknown>; path: string }[] {
  if (!isObject(config) || !Array.isArray(config['layers'])) throw bad('the model topology has no layer list', path, 'a config with a `layers` array', config);
  const out: { className: string; config: Record<string, unknown>; path: string }[] = [];
  (config['layers'] as unknown[]).forEach((layer, i) => {
    const p = `${path}.layers[${i}]`;
    if (!isObject(layer) || typeof layer['class_name'] !== 'string' || !isObject(layer['config'])) throw bad('a layer has no class_name and config', p, '{ class_name, config }', layer);
    const cls = layer['class_name'];
    if (['Sequential', 'Model', 'Functional'].includes(cls)) out.push(...leafLayers(layer['config'], `${p}.config`));
    else out.push({ className: cls, config: { name: layer['name'], ...layer['config'] }, path: p });
  });
  return out;
}

function findWeight(weights: ReadonlyMap<string, Float64Array>, layer: string, what: string): string | undefined {
  const exact = `${layer}/${what}`;
  if (weights.has(exact)) return exact;
  const tail = [...weights.keys()].filter((k) => k.endsWith(`/${exact}`));
  return tail.length === 1 ? tail[0] : undefined;
}

function pair(x: unknown, dims: number, fallback: number): number[] {
  if (typeof x === 'number') return new Array<number>(dims).fill(x);
  if (Array.isArray(x) && x.length === dims && x.every((v) => typeof v === 'number')) return x as number[];
  return new Array<number>(dims).fill(fallback);
}

/**
 * Read a TensorFlow.js Layers model (what `model.save()` and
 * `tensorflowjs_converter` write: model.json with `modelTopology` and
 * `weightsManifest`, plus binary weight shards) into plain arrays, layer by
 * layer. Browser-safe: it takes the parsed model.json and the weight buffers;
 * reading files is the caller's (the CLI reads them from disk, a page may
 * `fetch` them). Weights are decoded with tfjs's own `io.decodeWeights`
 * (quantized weights included) and kept in float64.
 *
 * @param modelJson - The parsed model.json.
 * @param weights - All shards concatenated in manifest order, or each shard by its `paths` entry.
 * @throws ModelFileError (`INVALID_MODEL_FILE`) for a file that is not a Layers model, a missing shard, or a buffer of the wrong length.
 *
 * @example
 * ```ts
 * const json = await (await fetch('model/model.json')).json();
 * const bin = await (await fetch('model/weights.bin')).arrayBuffer();
 * const foreign = readTfjsLayersModel(json, bin);
 * foreign.layers.filter((l) => l.kind === 'dense');
 * ```
 */
export function readTfjsLayersModel(modelJson: unknown, weights: TfjsWeightData): ForeignModel {
  if (!isObject(modelJson)) throw bad('model.json is not an object', 'model.json', 'an object with modelTopology and weightsManifest', modelJson);
  const format = typeof modelJson['format'] === 'string' ? modelJson['format'] : 'layers-model';
  if (format !== 'layers-model') throw bad('not a Layers model', 'model.json.format', "'layers-model' (a graph model has no layers to read)", format);
  const topology = modelJson['modelTopology'];
  if (!isObject(topology)) throw bad('model.json has no modelTopology', 'model.json.modelTopology', 'an object', topology);
  const root = isObject(topology['model_config']) ? topology['model_config'] : topology;
  if (!isObject(root) || !isObject(root['config'])) throw bad('the model topology has no config', 'model.json.modelTopology', '{ class_name, config }', root);
  const manifest = modelJson['weightsManifest'];
  if (!Array.isArray(manifest)) throw bad('model.json has no weightsManifest', 'model.json.weightsManifest', 'an array of weight groups', manifest);
  const specs: ManifestEntry[] = [];
  const shards: ArrayBuffer[] = [];
  manifest.forEach((group: unknown, g) => {
    const p = `model.json.weightsManifest[${g}]`;
    if (!isObject(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) throw bad('a weight group has no paths and weights', p, '{ paths, weights }', group);
    specs.push(...(group['weights'] as ManifestEntry[]));
    if (!(weights instanceof ArrayBuffer)) {
      for (const file of group['paths'] as string[]) {
        const buf = weights[file] ?? weights[file.replace(/^\.\//, '')];
        if (!buf) throw bad('a weight shard is missing', `${p}.paths`, `a buffer for '${file}'`, Object.keys(weights).join(', ') || 'none');
        shards.push(buf);
      }
    }
  });
  const data = weights instanceof ArrayBuffer ? weights : concat(shards);
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
  const expectedBytes = specs.reduce((n, s) => n + (s.quantization ? 0 : (bytesPer[s.dtype] ?? 4) * s.shape.reduce((a, b) => a * b, 1)), 0);
  if (!specs.some((s) => s.quantization) && data.byteLength !== expectedBytes) {
    throw bad('the weight data does not match the manifest', 'weights', `${expectedBytes} bytes`, `${data.byteLength} bytes`);
  }
  const named = new Map<string, Float64Array>();
  const shapes = new Map<string, number[]>();
  const decoded = tf.io.decodeWeights(data, specs as Parameters<typeof tf.io.decodeWeights>[1]);
  for (const [name, t] of Object.entries(decoded)) {
    named.set(name, Float64Array.from(t.dataSync()));
    shapes.set(name, t.shape);
    t.dispose();
  }
  const layers = leafLayers(root['config'], 'model.json.modelTopology.config').map(({ className, config, path }): ForeignLayer => {
    const name = String(config['name'] ?? '');
    const activation = typeof config['activation'] === 'string' ? config['activation'] : 'linear';
    const kind = className === 'Dense' ? 'dense' : className === 'Conv2D' ? 'conv2d' : className === 'DepthwiseConv2D' ? 'depthwise-conv2d' : className === 'Conv1D' ? 'conv1d' : 'other';
    if (kind === 'other') return { kind, name, className };
    const kKey = findWeight(named, name, kind === 'depthwise-conv2d' ? 'depthwise_kernel' : 'kernel');
    if (!kKey) throw bad(`no kernel weight for layer '${name}'`, path, `a weight named '${name}/${kind === 'depthwise-conv2d' ? 'depthwise_kernel' : 'kernel'}'`, [...named.keys()].join(', '));
    const bKey = findWeight(named, name, 'bias');
    const kernel = named.get(kKey)!;
    const shape = shapes.get(kKey)!;
    const bias = bKey ? named.get(bKey) : undefined;
    if (kind === 'dense') {
      if (shape.length !== 2) throw bad(`the kernel of Dense layer '${name}' is not a matrix`, path, '[inputs, units]', `[${shape.join(', ')}]`);
      return { kind, name, className, activation, inputs: shape[0]!, units: shape[1]!, kernel, ...(bias ? { bias } : {}) };
    }
    const dims = kind === 'conv1d' ? 1 : 2;
    if (shape.length !== dims + 2) throw bad(`the kernel of ${className} layer '${name}' has the wrong rank`, path, `rank ${dims + 2}`, `[${shape.join(', ')}]`);
    const inChannels = shape[dims]!;
    const outChannels = kind === 'depthwise-conv2d' ? inChannels * shape[dims + 1]! : shape[dims + 1]!;
    return {
      kind,
      name,
      className,
      activation,
      kernelSize: shape.slice(0, dims),
      dilation: pair(config['dilation_rate'], dims, 1),
      padding: typeof config['padding'] === 'string' ? config['padding'] : 'valid',
      inChannels,
      outChannels,
      kernel,
      ...(bias ? { bias } : {}),
    };
  });
  return { format, ...(typeof modelJson['generatedBy'] === 'string' ? { generatedBy: modelJson['generatedBy'] } : {}), layers };
}
