import { tf } from '../tensor/tf.js';
import { ConformanceError } from './conformance-error.js';

/**
 * Run `fn` `iterations` times (after one warm-up run) and throw a
 * {@link ConformanceError} if the number of live tensors grew.
 */
export async function expectNoLeaks(fn: () => unknown | Promise<unknown>, options: { iterations?: number; label?: string } = {}): Promise<void> {
  await fn();
  const before = tf.memory().numTensors;
  for (let i = 0; i < (options.iterations ?? 3); i++) await fn();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new ConformanceError(`${options.label ?? 'operation'} leaks tensors: ${before} live before, ${after} after ${options.iterations ?? 3} runs`);
  }
}
