/**
 * `@npde/core`: the tensor core glue, plugin interfaces and `defineX()` helpers,
 * the registry with its event stream, the {@link NeuralPde} model, the
 * {@link Trainer}, save/load, and npde's errors.
 *
 * @packageDocumentation
 */
export * from './tensor/tf.js';
export * from './errors/errors.js';
export * from './schema/validate.js';
export * from './plugins/field.js';
export * from './plugins/moments.js';
export * from './plugins/types.js';
export * from './plugins/define.js';
export * from './registry/events.js';
export * from './registry/registry.js';
export * from './model/spec.js';
export * from './model/neural-pde.js';
export * from './model/relaxation-block.js';
/** valibot, re-exported so plugin packages declare option schemas without a direct dependency. */
export * as v from 'valibot';
export * from './trainer/index.js';
export * from './io/index.js';
export * from './random/seeded-random.js';
export * from './ops/stencil-relax/index.js';
export * from './ops/channel-stencil/index.js';
