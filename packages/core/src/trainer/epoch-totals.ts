import type { Logs } from './callbacks.js';
import type { Metric } from './metrics.js';

/** What one epoch's batches produced. @internal */
export interface EpochTotals {
  /** Mean loss over the samples stepped on. */
  readonly loss: number;
  /** Each metric's mean over the samples it was recorded on (absent if never recorded). */
  readonly metrics: Logs;
  /** Whether every batch ran (not cut short by an abort or a stop). */
  readonly complete: boolean;
}

/** Sums of batch losses and metrics weighted by batch size, so the means are over samples. @internal */
export class Totals {
  private loss = 0;
  private samples = 0;
  private readonly metricSums: number[];
  private metricSamples = 0;

  constructor(private readonly metrics: readonly Metric[]) {
    this.metricSums = metrics.map(() => 0);
  }

  /** Add a batch of `size` samples. */
  add(loss: number, size: number, metrics: readonly number[] | undefined): void {
    this.loss += loss * size;
    this.samples += size;
    if (!metrics) return;
    metrics.forEach((m, i) => (this.metricSums[i]! += m * size));
    this.metricSamples += size;
  }

  /** The epoch's means. */
  done(complete: boolean): EpochTotals {
    const metrics = this.metricSamples ? Object.fromEntries(this.metrics.map((m, i) => [m.name, this.metricSums[i]! / this.metricSamples])) : {};
    return { loss: this.loss / this.samples, metrics, complete };
  }
}
