import { TrainingDivergedError } from '../errors/errors.js';
import type { NeuralPde } from '../model/neural-pde.js';
import type { Registry } from '../registry/registry.js';
import { tf, type Tensor, type Tensor2D, type Variable } from '../tensor/tf.js';
import { batchIndices, epochOrder } from './batches.js';
import { BestWeights } from './best-weights.js';
import { CallbackList, type Logs } from './callbacks.js';
import { encodeCheckpoint, type FitSettings } from './checkpoint.js';
import { prepareData, type Dataset, type PreparedData } from './dataset.js';
import { Totals, type EpochTotals } from './epoch-totals.js';
import { evaluateTensors } from './evaluate.js';
import type { FitStopReason, TrainerEvent, TrainerEventMap } from './events.js';
import { checkFitNumbers, type FitOptions, type FitResult } from './fit-options.js';
import { historyFrom, recordEpoch, type MutableHistory } from './history.js';
import { resolveLoss, type Loss } from './loss.js';
import { resolveMetrics, type Metric } from './metrics.js';
import { OptimizerStep, resolveOptimizer, type ResolvedOptimizer } from './optimizer-step.js';
import { restoreFit } from './resume.js';

/** An event as a fit emits it, before its `fitId` is added. @internal */
export type FitEvent = { [K in keyof TrainerEventMap]: { readonly type: K } & TrainerEventMap[K] }[keyof TrainerEventMap];

/** The events of a fit, each with its id. @internal */
export function withFitId(fitId: string, e: FitEvent): TrainerEvent {
  return { ...e, fitId } as TrainerEvent;
}

let lastYield = 0;
/**
 * A macrotask turn of the event loop: Node's `setImmediate` where it exists (about 0.01 ms;
 * `setTimeout(0)` is clamped to 1 ms or more, which cost about 0.5 s of a 400-epoch demo
 * run), else `setTimeout(0)` (browsers).
 */
const nextTurn: (resolve: () => void) => unknown =
  (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate ?? ((resolve) => setTimeout(resolve, 0));
/** Let timers, signals and progress bars run (browser-safe), at most every 10 ms of training. */
async function yieldToEventLoop(): Promise<void> {
  if (performance.now() - lastYield < 10) return;
  await new Promise<void>((resolve) => nextTurn(resolve));
  lastYield = performance.now();
}

/**
 * One fit of a model, from checked inputs to its result: the training loop
 * composed of the trainer's parts (data, batches, loss and metrics, optimizer
 * steps, divergence, best weights, callbacks, checkpoints). Used once.
 * @internal
 */
export class FitRun {
  /** Whether a terminal event (`fit:end`, `fit:diverged`) was emitted. */
  ended = false;
  private readonly callbacks: CallbackList;
  private readonly t0 = performance.now();
  private loss!: Loss;
  private metrics: Metric[] = [];
  private numbers!: ReturnType<typeof checkFitNumbers>;
  private data: PreparedData | undefined;
  private optimizer: ResolvedOptimizer | undefined;
  private stepper!: OptimizerStep;
  private variables: Variable[] = [];
  private batchSize = 0;
  private shuffle = false;
  /** The batches of an epoch without shuffling (the same every epoch). */
  private inOrder: Int32Array[] | undefined;
  private history: MutableHistory = historyFrom();
  private best: BestWeights | undefined;
  /** The weights after the last complete epoch: what divergence restores, and what checkpoints hold. */
  private snapshot: Record<string, Tensor> | undefined;
  private iteration = 0;
  private initialEpoch = 0;
  private firstLoss: number | undefined;
  private stopReason: FitStopReason | undefined;
  private lastEpochComplete = true;
  private savedEpoch = -1;

  constructor(
    readonly fitId: string,
    private readonly model: NeuralPde,
    private readonly dataset: Dataset,
    private readonly options: FitOptions,
    private readonly registry: Registry,
    private readonly emit: (e: FitEvent) => void,
  ) {
    this.callbacks = new CallbackList(options.callbacks, { fitId, stop: (reason = 'stopped') => (this.stopReason = reason) });
  }

  /** Run the fit; releases everything it made, whatever happens. */
  async run(): Promise<FitResult> {
    try {
      this.setup();
      if (this.options.resume) await this.resume();
      this.snapshot = this.model.getWeights();
      this.offerInitialWeights();
      this.emitStart();
      await this.callbacks.train('onTrainBegin', {});
      if (this.options.signal?.aborted) this.stopReason = 'aborted';
      for (let epoch = this.initialEpoch + 1; epoch <= this.options.epochs && !this.stopReason; epoch++) {
        await this.runEpoch(epoch);
        await yieldToEventLoop();
      }
      return await this.finish();
    } finally {
      this.dispose();
    }
  }

  private setup(): void {
    const o = this.options;
    this.numbers = checkFitNumbers(o);
    this.loss = resolveLoss(o.loss);
    this.metrics = resolveMetrics(o.metrics, this.loss);
    this.data = prepareData(this.model, this.dataset, o.validation, this.loss);
    const n = this.data.train.size;
    this.batchSize = Math.min(o.batchSize ?? n, n);
    this.shuffle = o.shuffle ?? this.batchSize < n;
    this.optimizer = resolveOptimizer(o.optimizer, o.registry ?? this.registry);
    this.variables = [...this.model.trainableVariables];
    this.stepper = new OptimizerStep(this.model, this.variables, this.loss, this.metrics, this.optimizer);
    if (o.keepBest ?? true) this.best = new BestWeights(this.data.validation ? 'val_loss' : 'loss');
  }

  private settings(): FitSettings {
    const names = new Map(Object.entries(this.model.parameters).map(([name, p]) => [p, name]));
    return {
      seed: this.numbers.seed,
      batchSize: this.batchSize,
      shuffle: this.shuffle,
      samples: this.data!.train.size,
      validationSamples: this.data!.validation?.size ?? 0,
      loss: this.loss.name,
      optimizer: this.optimizer!.settings,
      parameters: this.variables.map((v) => `${names.get(v) ?? '?'}[${v.shape.join(',')}]`),
      keepBest: this.best !== undefined,
    };
  }

  private async resume(): Promise<void> {
    const { model, optimizer, variables, best } = this;
    const restored = await restoreFit(this.options.resume!, { model, optimizer: optimizer!, variables, best, settings: this.settings(), epochs: this.options.epochs });
    this.history = historyFrom(restored.history);
    this.iteration = restored.iteration;
    this.initialEpoch = this.savedEpoch = restored.epoch;
    this.firstLoss = restored.firstLoss;
  }

  /** The weights before training compete too: by `val_loss` they must be measured (by `loss`, epoch 1 does it). */
  private offerInitialWeights(): void {
    const validation = this.data!.validation;
    if (this.best?.monitor !== 'val_loss' || !validation || this.initialEpoch > 0) return;
    const loss = evaluateTensors(this.model, validation, this.loss, [], this.evalBatchSize())['loss']!;
    if (this.best.improves(loss)) this.best.keep(0, loss, this.model.getWeights());
  }

  private emitStart(): void {
    this.emit({
      type: 'fit:start',
      epochs: this.options.epochs,
      initialEpoch: this.initialEpoch,
      samples: this.data!.train.size,
      batchSize: this.batchSize,
      paramCount: this.model.paramCount,
      validationSamples: this.data!.validation?.size ?? 0,
    });
  }

  // ------------------------------------------------------------ one epoch

  private async runEpoch(epoch: number): Promise<void> {
    const t0 = performance.now();
    await this.callbacks.step('onEpochBegin', epoch, {});
    const totals = await this.trainBatches(epoch);
    this.checkDivergence(epoch, totals.loss);
    const logs = this.epochLogs(totals);
    recordEpoch(this.history, logs);
    this.lastEpochComplete = totals.complete;
    this.advanceSnapshot(epoch, logs);
    this.emit({
      type: 'epoch:end',
      epoch,
      epochs: this.options.epochs,
      loss: logs['loss']!,
      valLoss: logs['val_loss'],
      logs,
      seconds: (performance.now() - t0) / 1000,
      learningRate: this.optimizer!.instance.learningRate?.(),
    });
    await this.callbacks.step('onEpochEnd', epoch, logs);
    if (totals.complete && epoch % this.numbers.every === 0) await this.saveCheckpoint(epoch);
    this.checkStops(logs);
  }

  private async trainBatches(epoch: number): Promise<EpochTotals> {
    const n = this.data!.train.size;
    // Without shuffling every epoch visits the same batches: made once.
    const batches = this.shuffle ? batchIndices(n, this.batchSize, epochOrder(n, this.numbers.seed, epoch)) : (this.inOrder ??= batchIndices(n, this.batchSize));
    const totals = new Totals(this.metrics);
    for (let b = 0; b < batches.length; b++) {
      const size = batches[b]!.length;
      const { loss, metrics } = await this.step(batches[b]!);
      totals.add(loss, size, metrics);
      this.emit({ type: 'batch:end', epoch, batch: b + 1, batches: batches.length, loss, size });
      await this.callbacks.step('onBatchEnd', b + 1, { loss, size });
      if (this.options.signal?.aborted || this.stopReason) return totals.done(b === batches.length - 1);
    }
    return totals.done(true);
  }

  /** One optimizer step on the training samples `indices` (the whole set, in order, without a copy). */
  private async step(indices: Int32Array) {
    const { x, y, size } = this.data!.train;
    const whole = !this.shuffle && indices.length === size;
    const idx = whole ? undefined : tf.tensor1d(indices, 'int32');
    const xb = idx ? (tf.gather(x, idx) as Tensor2D) : x;
    const yb = idx ? tf.gather(y, idx) : y;
    idx?.dispose();
    try {
      return await this.stepper.run(xb, yb, this.iteration++);
    } finally {
      if (xb !== x) tf.dispose([xb, yb]);
    }
  }

  private checkDivergence(epoch: number, loss: number): void {
    this.firstLoss ??= loss;
    const factor = this.numbers.divergenceFactor;
    if (Number.isFinite(loss) && loss <= factor * Math.max(this.firstLoss, 1e-30)) return;
    this.model.setWeights(this.snapshot!);
    const restoredEpoch = epoch - 1;
    this.ended = true;
    this.emit({ type: 'fit:diverged', epoch, loss, restoredEpoch });
    throw new TrainingDivergedError(`training diverged at epoch ${epoch} (loss ${loss})`, {
      path: 'optimizer',
      expected: `a finite loss below ${factor} × the first epoch's (${this.firstLoss})`,
      received: String(loss),
      hint: `The weights of epoch ${restoredEpoch} were restored. Lower the learning rate, or normalize the data.`,
      epoch,
      loss,
    });
  }

  private epochLogs(totals: EpochTotals): Logs {
    const logs: Record<string, number> = { loss: totals.loss, ...totals.metrics };
    const validation = this.data!.validation;
    if (validation) Object.assign(logs, evaluateTensors(this.model, validation, this.loss, this.metrics, this.evalBatchSize(), 'val_'));
    return logs;
  }

  private evalBatchSize(): number {
    return Math.max(this.batchSize, 1024);
  }

  /**
   * Replace the snapshot by the weights after `epoch`, and offer the best
   * weights what their monitor ranks: the new weights by `val_loss`, or the
   * epoch's starting weights (the old snapshot) by the training loss.
   */
  private advanceSnapshot(epoch: number, logs: Logs): void {
    const previous = this.snapshot!;
    this.snapshot = this.model.getWeights();
    const best = this.best;
    if (best?.monitor === 'loss' && best.improves(logs['loss']!)) {
      best.keep(epoch - 1, logs['loss']!, previous);
      return;
    }
    tf.dispose(Object.values(previous));
    if (best?.monitor === 'val_loss' && best.improves(logs['val_loss']!)) best.keep(epoch, logs['val_loss']!, this.model.getWeights());
  }

  private checkStops(logs: Logs): void {
    const o = this.options;
    if (o.signal?.aborted) this.stopReason = 'aborted';
    else if (this.stopReason) return;
    else if (o.targetLoss !== undefined && logs['loss']! < o.targetLoss) this.stopReason = 'target-loss';
    else if (o.timeLimit !== undefined && (performance.now() - this.t0) / 1000 >= o.timeLimit) this.stopReason = 'time-limit';
  }

  // ------------------------------------------------------------ the end

  private async saveCheckpoint(epoch: number): Promise<void> {
    const store = this.options.checkpoint?.store;
    if (!store) return;
    const optimizerState = this.optimizer!.instance.getState?.(this.variables) ?? {};
    const best = this.best?.seen && { ...this.best.seen, weights: this.best.weights! };
    const parts = { fitId: this.fitId, epoch, iteration: this.iteration, firstLoss: this.firstLoss, history: this.history, settings: this.settings() };
    const checkpoint = await encodeCheckpoint({ ...parts, weights: this.snapshot!, optimizerState, best }).finally(() => tf.dispose(Object.values(optimizerState)));
    await store.save(checkpoint);
    this.savedEpoch = epoch;
    this.emit({ type: 'checkpoint:saved', epoch });
  }

  private async finish(): Promise<FitResult> {
    const epochs = this.history.loss.length;
    if (this.lastEpochComplete && epochs > this.savedEpoch && epochs > this.initialEpoch) await this.saveCheckpoint(epochs);
    const restoredBest = this.restoreBestIfWorse(epochs);
    const logs = this.history.logs[epochs - 1] ?? {};
    await this.callbacks.train('onTrainEnd', logs);
    const seconds = (performance.now() - this.t0) / 1000;
    const reason = this.stopReason ?? 'completed';
    const { fitId, initialEpoch, history } = this;
    const result: FitResult = { fitId, epochs, initialEpoch, loss: logs['loss'] ?? NaN, valLoss: logs['val_loss'], logs, history, seconds, reason, best: this.best?.seen, restoredBest };
    this.ended = true;
    this.emit({ type: 'fit:end', epochs, loss: result.loss, valLoss: result.valLoss, seconds, reason, restoredBest });
    return result;
  }

  /**
   * Put the best weights back when the final ones are worse by the monitor.
   * Without validation data the final weights' training loss is measured once
   * here, since the last epoch's loss belongs to the weights it started from.
   */
  private restoreBestIfWorse(epochs: number): boolean {
    const best = this.best;
    const seen = best?.seen;
    if (!best || !seen || epochs === 0) return false;
    const finalLoss =
      best.monitor === 'val_loss'
        ? this.history.valLoss[epochs - 1]!
        : evaluateTensors(this.model, this.data!.train, this.loss, [], this.evalBatchSize())['loss']!;
    if (best.monitor === 'loss' && best.improves(finalLoss)) best.keep(epochs, finalLoss, this.model.getWeights());
    if (finalLoss <= seen.loss) return false;
    best.restore(this.model);
    this.emit({ type: 'fit:best-restored', epoch: seen.epoch, monitor: best.monitor, loss: seen.loss, finalLoss });
    return true;
  }

  private dispose(): void {
    this.data?.dispose();
    if (this.snapshot) tf.dispose(Object.values(this.snapshot));
    this.best?.dispose();
    if (this.optimizer?.owned) this.optimizer.instance.dispose();
  }
}
