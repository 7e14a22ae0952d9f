import { BlockSpecSchema, createRelaxationStage, defineStage } from '@npde/core';

/**
 * The relaxation block as a stage (theory §1): `layers` steps of
 * dz/dt = −γ (z − f(W z − b)) on the incoming field, 1–3-D with any number of
 * channels (the kernel decides whether it acts per channel or mixes them).
 * The output has the input's geometry. Options are those of a one-block
 * model spec without `field` and `seed`; a one-block spec is read as a model
 * of this one stage.
 *
 * @example
 * ```ts
 * { id: '@npde/stages/pde', options: {
 *     layers: 4, omega: 0.5, activation: '@npde/activations/tanh',
 *     kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic' } } } }
 * ```
 */
export const pde = defineStage({
  id: '@npde/stages/pde',
  description: 'relaxation block z ← (1 − ω) z + ω f(W z − b), `layers` steps; keeps the field',
  options: BlockSpecSchema,
  create: createRelaxationStage,
});
