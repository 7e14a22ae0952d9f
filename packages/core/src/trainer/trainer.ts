import { Subject, type Observable } from 'rxjs';
import type { NeuralPde } from '../model/neural-pde.js';
import { globalRegistry, type Registry } from '../registry/registry.js';
import type { Dataset } from './dataset.js';
import type { TrainerEvent } from './events.js';
import { FitRun, withFitId, type FitEvent } from './fit.js';
import type { FitHandle, FitOptions, FitResult } from './fit-options.js';

let fitCount = 0;

/**
 * Fits a {@link NeuralPde} to data with a pluggable optimizer: seeded
 * mini-batches, validation, metrics, callbacks, checkpoints and resuming,
 * keeping the best weights. Every fit reports on {@link Trainer.events$} (all
 * fits) and on its own stream ({@link Trainer.start}). A NaN, infinite or
 * exploding loss restores the last good weights and rejects with
 * `TrainingDivergedError` naming the epoch.
 *
 * @example
 * ```ts
 * const trainer = new Trainer();
 * trainer.events$.subscribe((e) => { if (e.type === 'epoch:end') console.log(e.epoch, e.loss); });
 * const result = await trainer.fit(model, { x, y }, {
 *   optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } },
 *   epochs: 200, batchSize: 32, validation: 0.2,
 *   checkpoint: { store: fileCheckpointStore('out/checkpoints') },   // from '@npde/core/node'
 * });
 * if (result.restoredBest) console.log(`kept epoch ${result.best!.epoch}'s weights`);
 * ```
 */
export class Trainer {
  private readonly subject = new Subject<TrainerEvent>();
  /** Events of every fit this trainer runs, each carrying its `fitId`. Never completes. */
  readonly events$: Observable<TrainerEvent> = this.subject.asObservable();
  private readonly registry: Registry | undefined;

  /** @param options.registry where optimizer ids are resolved (default: the global registry). */
  constructor(options: { registry?: Registry } = {}) {
    this.registry = options.registry;
  }

  /** Train `model` on `data`; resolves with the result once training ends. */
  fit(model: NeuralPde, data: Dataset, options: FitOptions): Promise<FitResult> {
    return this.launch(model, data, options).result;
  }

  /**
   * Start training `model` on `data`, returning at once with the fit's id, its
   * own event stream (which completes when the fit ends and never errors) and
   * its result. Training begins after the current task, so subscribing right
   * away sees `fit:start`.
   *
   * @example
   * ```ts
   * const run = trainer.start(model, data, { optimizer: '@npde/optimizers/adam', epochs: 50 });
   * run.events$.subscribe((e) => e.type === 'fit:diverged' && console.warn('diverged at', e.epoch));
   * const result = await run.result;
   * ```
   */
  start(model: NeuralPde, data: Dataset, options: FitOptions): FitHandle {
    const handle = this.launch(model, data, options);
    // Divergence and failures are also events: a caller that only watches events$ need not handle the rejection.
    handle.result.catch(() => {});
    return handle;
  }

  private launch(model: NeuralPde, data: Dataset, options: FitOptions): FitHandle {
    const fitId = `fit-${++fitCount}`;
    const own = new Subject<TrainerEvent>();
    const emit = (e: FitEvent) => {
      const event = withFitId(fitId, e);
      own.next(event);
      this.subject.next(event);
    };
    const result = (async () => {
      await Promise.resolve();
      const run = new FitRun(fitId, model, data, options, this.registry ?? globalRegistry(), emit);
      try {
        return await run.run();
      } catch (error) {
        if (!run.ended) emit({ type: 'fit:failed', error });
        throw error;
      } finally {
        own.complete();
      }
    })();
    return { fitId, events$: own.asObservable(), result };
  }
}
