import { tf } from '@npde/core';

let counter = 0;

/**
 * A prefix for the variable names of one kernel instance, `<plugin id>#<n>`,
 * not yet used by any registered tfjs variable (tfjs refuses duplicate names,
 * and a second copy of this package would restart the counter).
 *
 * @param plugin - Id of the kernel family.
 * @param locals - Local parameter names the instance will create under the prefix.
 */
export function instancePrefix(plugin: string, locals: readonly string[]): string {
  const taken = tf.engine().registeredVariables;
  for (;;) {
    const prefix = `${plugin}#${++counter}`;
    if (locals.every((l) => taken[`${prefix}/${l}`] === undefined)) return prefix;
  }
}
