/**
 * `@npde/analysis`: reading trained layers as physics — moments of every PDE
 * stage, physical reports, foreign TensorFlow.js models and attractors.
 *
 * @packageDocumentation
 */
export {};
