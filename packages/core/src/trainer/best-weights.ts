import type { NeuralPde } from '../model/neural-pde.js';
import { tf, type Tensor } from '../tensor/tf.js';

/** The best weights a fit has seen, as `FitResult.best` reports them. */
export interface BestSeen {
  /** The epoch after which the model had these weights (0: before training). */
  readonly epoch: number;
  /** Their monitored loss. */
  readonly loss: number;
  /** What ranked them: `val_loss` with validation data, else `loss` (training). */
  readonly monitor: 'val_loss' | 'loss';
}

/**
 * Keeps a copy of the weights with the lowest monitored loss. With validation
 * data the monitor is `val_loss`, measured on the weights after each epoch.
 * Without, it is the training loss, which an epoch measures on the way (each
 * batch before its step): it is credited to the weights the epoch *started*
 * from, which is exact for full-batch training and the best cheap estimate
 * for mini-batches.
 * @internal
 */
export class BestWeights {
  private kept: { epoch: number; loss: number; weights: Record<string, Tensor> } | undefined;

  constructor(readonly monitor: 'val_loss' | 'loss') {}

  /** What is kept, without the tensors. */
  get seen(): BestSeen | undefined {
    return this.kept && { epoch: this.kept.epoch, loss: this.kept.loss, monitor: this.monitor };
  }

  /** The kept weights (still owned here). */
  get weights(): Readonly<Record<string, Tensor>> | undefined {
    return this.kept?.weights;
  }

  /** Whether `loss` beats what is kept (NaN never does). */
  improves(loss: number): boolean {
    return loss < (this.kept?.loss ?? Infinity);
  }

  /** Keep `weights` (taking ownership) as the best, from `epoch` with `loss`. */
  keep(epoch: number, loss: number, weights: Record<string, Tensor>): void {
    this.dispose();
    this.kept = { epoch, loss, weights };
  }

  /** Put the kept weights into `model`. */
  restore(model: NeuralPde): void {
    if (this.kept) model.setWeights(this.kept.weights);
  }

  /** Release the kept weights. */
  dispose(): void {
    if (this.kept) tf.dispose(Object.values(this.kept.weights));
    this.kept = undefined;
  }
}
