/**
 * Check that `layer` is a valid relaxation-step index `0..layers − 1`.
 * Throws a `RangeError` naming the plugin otherwise: an out-of-range layer is a
 * programming error of the caller, not bad user input.
 *
 * @param layer - The index asked for.
 * @param layers - Number of layers of the model.
 * @param plugin - Id of the kernel family, for the message.
 */
export function assertLayer(layer: number, layers: number, plugin: string): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
    throw new RangeError(`${plugin}: layer ${layer} is out of range, expected an integer in 0..${layers - 1}`);
  }
}

/**
 * Check that a moment order is a non-negative integer.
 *
 * @param maxOrder - Highest moment order asked for.
 * @param plugin - Id of the kernel family, for the message.
 */
export function assertMaxOrder(maxOrder: number, plugin: string): void {
  if (!Number.isInteger(maxOrder) || maxOrder < 0) {
    throw new RangeError(`${plugin}: maxOrder must be a non-negative integer, got ${maxOrder}`);
  }
}
