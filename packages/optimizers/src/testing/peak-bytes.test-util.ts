import { tf } from '@npde/core';

interface TrackingEngine {
  state: { numBytes: number };
  trackTensor(this: TrackingEngine, a: unknown, backend: unknown): void;
}

/**
 * Run `fn` and return the most tensor bytes that were live at once during it,
 * above what was live before (tfjs's own byte count, updated on every tensor
 * the engine tracks; `tf.profile` does the same per kernel but overflows the
 * call stack on ~10⁵ kernels). Test-only: it wraps the engine's `trackTensor`
 * for the duration of the call.
 */
export function peakTensorBytes<T>(fn: () => T): { result: T; peakBytes: number } {
  const engine = tf.engine() as unknown as TrackingEngine;
  const original = engine.trackTensor;
  const start = engine.state.numBytes;
  let peak = start;
  engine.trackTensor = function (a, backend) {
    original.call(this, a, backend);
    if (this.state.numBytes > peak) peak = this.state.numBytes;
  };
  try {
    return { result: fn(), peakBytes: peak - start };
  } finally {
    engine.trackTensor = original;
  }
}
