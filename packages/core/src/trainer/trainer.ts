import { Subject, type Observable } from 'rxjs';
import { ErrorCodes, NpdeError, ShapeError, TrainingDivergedError, ValidationError, describeValue, wrapPluginError } from '../errors/errors.js';
import type { NeuralPde, FieldInput } from '../model/neural-pde.js';
import type { OptimizationProblem, OptimizerInstance } from '../plugins/types.js';
import { globalRegistry, type PluginRef, type Registry } from '../registry/registry.js';
import { tf, type Tensor, type Tensor2D } from '../tensor/tf.js';
import type { TrainerEvent, FitStopReason } from './events.js';
import { losses, type LossFn, type LossName } from './loss.js';
import { seededRandom } from '../random/seeded-random.js';

/** Inputs and targets: tensors or nested arrays, first axis = samples. */
export interface Dataset {
  /** Inputs, `[n, ...field]` or `[n, size]`. */
  readonly x: FieldInput;
  /** Targets, same shape as `x`. */
  readonly y: FieldInput;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Optimizer: a plugin ref resolved through the registry, or a created instance. */
  readonly optimizer: PluginRef | OptimizerInstance;
  /** Loss (default `mse`). */
  readonly loss?: LossName | LossFn;
  /** Number of passes over the data. */
  readonly epochs: number;
  /** Samples per step (default: all, i.e. full batch). */
  readonly batchSize?: number;
  /** Held-out data, or a fraction (0..1) of `data` to hold out (the last samples). */
  readonly validation?: Dataset | number;
  /** Stop early (after the current batch) when aborted. */
  readonly signal?: AbortSignal;
  /** Stop after this many seconds (checked after each epoch). */
  readonly timeLimit?: number;
  /** Stop once the training loss is below this. */
  readonly targetLoss?: number;
  /** Shuffle batches each epoch (default true when batchSize < n). */
  readonly shuffle?: boolean;
  /** Seed for shuffling (default 0). */
  readonly seed?: number;
  /**
   * A loss larger than `divergenceFactor` × the first epoch's loss counts as
   * divergence (default 1e4), as does NaN or ±Infinity.
   */
  readonly divergenceFactor?: number;
  /** Where an optimizer ref is resolved (default: the trainer's registry). */
  readonly registry?: Registry;
}

/** Outcome of {@link Trainer.fit}. */
export interface FitResult {
  /** Epochs completed. */
  readonly epochs: number;
  /** Mean training loss of the last epoch. */
  readonly loss: number;
  /** Validation loss after the last epoch, when there is validation data. */
  readonly valLoss: number | undefined;
  /** Loss per epoch. */
  readonly history: {
    /** Mean training loss of each epoch. */
    readonly loss: readonly number[];
    /** Validation loss after each epoch (`undefined` without validation data). */
    readonly valLoss: readonly (number | undefined)[];
  };
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** Why it stopped. */
  readonly reason: FitStopReason;
}

function checkFinite(t: Tensor, path: string): void {
  const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(t))).dataSync()[0]);
  if (bad) {
    throw new NpdeError(ErrorCodes.NON_FINITE, 'data holds NaN or infinite values', {
      path,
      expected: 'finite numbers',
      received: 'NaN or ±Infinity',
      hint: 'Clean or normalize the data before training.',
    });
  }
}

/**
 * Fits a {@link NeuralPde} to data with a pluggable optimizer, reporting on
 * {@link Trainer.events$}. A NaN, infinite or exploding loss restores the last
 * good weights and rejects with {@link TrainingDivergedError} naming the epoch.
 *
 * @example
 * ```ts
 * const trainer = new Trainer();
 * trainer.events$.subscribe((e) => { if (e.type === 'epoch:end') console.log(e.epoch, e.loss); });
 * const result = await trainer.fit(model, { x, y }, {
 *   optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } },
 *   epochs: 200,
 * });
 * ```
 */
export class Trainer {
  private readonly subject = new Subject<TrainerEvent>();
  /** Stream of {@link TrainerEvent}s. */
  readonly events$: Observable<TrainerEvent> = this.subject.asObservable();
  private readonly registry: Registry | undefined;

  /** @param options.registry where optimizer ids are resolved (default: the global registry). */
  constructor(options: { registry?: Registry } = {}) {
    this.registry = options.registry;
  }

  /** Train `model` on `data`. */
  async fit(model: NeuralPde, data: Dataset, options: FitOptions): Promise<FitResult> {
    if (!Number.isInteger(options.epochs) || options.epochs < 1) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'invalid epochs', {
        path: 'epochs',
        expected: 'an integer ≥ 1',
        received: describeValue(options.epochs),
      });
    }
    const registry = options.registry ?? this.registry ?? globalRegistry();
    const lossFn: LossFn =
      typeof options.loss === 'function' ? options.loss : losses[(options.loss ?? 'mse') as LossName];
    if (!lossFn) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'unknown loss', {
        path: 'loss',
        expected: `one of ${Object.keys(losses).join(', ')} or a function`,
        received: describeValue(options.loss),
      });
    }

    const owned: Tensor[] = [];
    const take = <T extends Tensor>(t: T): T => (owned.push(t), t);
    let optimizer: OptimizerInstance | undefined;
    let ownsOptimizer = false;
    let snapshot: Tensor[] | undefined;
    try {
      let x = take(model.toState(data.x, 'data.x'));
      let y = take(model.toState(data.y, 'data.y'));
      if (x.shape[0] !== y.shape[0]) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'inputs and targets have different sample counts', {
          path: 'data.y',
          expected: `${x.shape[0]} samples (as data.x)`,
          received: `${y.shape[0]}`,
        });
      }
      checkFinite(x, 'data.x');
      checkFinite(y, 'data.y');
      let vx: Tensor2D | undefined;
      let vy: Tensor2D | undefined;
      if (typeof options.validation === 'number') {
        const frac = options.validation;
        const nVal = Math.floor(x.shape[0] * frac);
        if (!(frac > 0 && frac < 1) || nVal < 1 || nVal >= x.shape[0]) {
          throw new ValidationError(ErrorCodes.INVALID_SPEC, 'invalid validation fraction', {
            path: 'validation',
            expected: 'a fraction in (0, 1) leaving at least one sample on each side',
            received: describeValue(frac),
          });
        }
        const nTrain = x.shape[0] - nVal;
        vx = take(x.slice([nTrain, 0], [nVal, -1]));
        vy = take(y.slice([nTrain, 0], [nVal, -1]));
        x = take(x.slice([0, 0], [nTrain, -1]));
        y = take(y.slice([0, 0], [nTrain, -1]));
      } else if (options.validation) {
        vx = take(model.toState(options.validation.x, 'validation.x'));
        vy = take(model.toState(options.validation.y, 'validation.y'));
        checkFinite(vx, 'validation.x');
        checkFinite(vy, 'validation.y');
      }

      const n = x.shape[0];
      const batchSize = Math.min(options.batchSize ?? n, n);
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new ValidationError(ErrorCodes.INVALID_SPEC, 'invalid batch size', {
          path: 'batchSize',
          expected: 'an integer ≥ 1',
          received: describeValue(options.batchSize),
        });
      }
      if (typeof options.optimizer === 'object' && 'step' in options.optimizer) {
        optimizer = options.optimizer;
      } else {
        const { plugin, options: opts } = registry.resolve('optimizer', options.optimizer, 'optimizer');
        optimizer = plugin.create({ options: opts });
        ownsOptimizer = true;
      }
      const optimizerId =
        typeof options.optimizer === 'string' ? options.optimizer : 'id' in options.optimizer ? options.optimizer.id : 'optimizer';
      const variables = model.trainableVariables;
      const shuffle = options.shuffle ?? batchSize < n;
      const rand = seededRandom(options.seed ?? 0);
      const divergenceFactor = options.divergenceFactor ?? 1e4;
      const t0 = performance.now();
      const history = { loss: [] as number[], valLoss: [] as (number | undefined)[] };
      let firstLoss: number | undefined;
      let reason: FitStopReason = 'completed';
      let iteration = 0;

      const takeSnapshot = () => {
        snapshot?.forEach((t) => t.dispose());
        snapshot = variables.map((v) => v.clone());
      };
      takeSnapshot();

      this.subject.next({
        type: 'fit:start',
        epochs: options.epochs,
        samples: n,
        batchSize,
        paramCount: model.paramCount,
        validationSamples: vx?.shape[0] ?? 0,
      });

      let epoch = 0;
      for (epoch = 1; epoch <= options.epochs; epoch++) {
        const te = performance.now();
        const order = Array.from({ length: n }, (_, i) => i);
        if (shuffle) {
          for (let i = n - 1; i > 0; i--) {
            const j = Math.floor(rand() * (i + 1));
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
        }
        let lossSum = 0;
        let count = 0;
        for (let start = 0; start < n; start += batchSize) {
          const size = Math.min(batchSize, n - start);
          let xb = x;
          let yb = y;
          if (shuffle || size < n) {
            const idx = tf.tensor1d(order.slice(start, start + size), 'int32');
            xb = tf.gather(x, idx);
            yb = tf.gather(y, idx);
            idx.dispose();
          }
          const problem: OptimizationProblem = {
            variables,
            batch: { x: xb, y: yb },
            model,
            iteration,
            loss: () => tf.tidy(() => lossFn(model.forward(xb), yb)),
            lossAndGrads: () => {
              const { value, grads } = tf.variableGrads(() => lossFn(model.forward(xb), yb), variables);
              return { loss: value, grads: variables.map((v) => grads[v.name]!) };
            },
          };
          let batchLoss: number;
          try {
            batchLoss = await optimizer.step(problem);
          } catch (err) {
            throw wrapPluginError(optimizerId, 'step', err);
          } finally {
            if (xb !== x) xb.dispose();
            if (yb !== y) yb.dispose();
          }
          iteration++;
          lossSum += batchLoss * size;
          count += size;
          if (options.signal?.aborted) break;
        }
        const loss = lossSum / count;
        firstLoss ??= loss;
        if (!Number.isFinite(loss) || loss > divergenceFactor * Math.max(firstLoss, 1e-30)) {
          variables.forEach((v, i) => v.assign(snapshot![i]!));
          const restoredEpoch = epoch - 1;
          this.subject.next({ type: 'fit:diverged', epoch, loss, restoredEpoch });
          throw new TrainingDivergedError(`training diverged at epoch ${epoch} (loss ${loss})`, {
            path: 'optimizer',
            expected: `a finite loss below ${divergenceFactor} × the first epoch's (${firstLoss})`,
            received: String(loss),
            hint: `The weights of epoch ${restoredEpoch} were restored. Lower the learning rate, or normalize the data.`,
            epoch,
            loss,
          });
        }
        const valLoss =
          vx && vy ? tf.tidy(() => lossFn(model.forward(vx!), vy!).dataSync()[0]!) : undefined;
        history.loss.push(loss);
        history.valLoss.push(valLoss);
        takeSnapshot();
        this.subject.next({
          type: 'epoch:end',
          epoch,
          epochs: options.epochs,
          loss,
          valLoss,
          seconds: (performance.now() - te) / 1000,
          learningRate: optimizer.learningRate?.(),
        });
        if (options.signal?.aborted) {
          reason = 'aborted';
          break;
        }
        if (options.targetLoss !== undefined && loss < options.targetLoss) {
          reason = 'target-loss';
          break;
        }
        if (options.timeLimit !== undefined && (performance.now() - t0) / 1000 >= options.timeLimit) {
          reason = 'time-limit';
          break;
        }
        // Let timers, signals and progress bars run between epochs.
        await new Promise<void>((r) => setImmediate(r));
      }
      const seconds = (performance.now() - t0) / 1000;
      const epochs = history.loss.length;
      const result: FitResult = {
        epochs,
        loss: history.loss[epochs - 1] ?? NaN,
        valLoss: history.valLoss[epochs - 1],
        history,
        seconds,
        reason,
      };
      this.subject.next({ type: 'fit:end', epochs, loss: result.loss, valLoss: result.valLoss, seconds, reason });
      return result;
    } finally {
      owned.forEach((t) => t.dispose());
      snapshot?.forEach((t) => t.dispose());
      if (ownsOptimizer) optimizer?.dispose();
    }
  }
}
