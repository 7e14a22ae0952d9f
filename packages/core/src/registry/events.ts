import type { PluginKind } from '../plugins/types.js';

/**
 * Payloads of registry events, keyed by `type`. Plugin packages may add event
 * types by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@npde/core' {
 *   interface RegistryEventMap { 'my-plugin:warmed-up': { ms: number } }
 * }
 * ```
 */
export interface RegistryEventMap {
  /** A plugin was added. */
  'plugin:registered': {
    /** The plugin's kind. */
    readonly kind: PluginKind;
    /** The plugin's namespaced id. */
    readonly id: string;
  };
  /** A backend is initialized and active. */
  'backend:ready': {
    /** The tfjs backend name now active (`wasm`, `cpu`, `tensorflow`). */
    readonly backend: string;
    /** Plugin id of the backend adapter. */
    readonly id: string;
    /** Milliseconds the setup took. */
    readonly ms: number;
  };
  /**
   * A relaxation block's ω exceeds its integrator's stability limit for the block's
   * kernel (`IntegratorInstance.stabilityLimit`): a warning, emitted when the block is
   * created and by `RelaxationBlock.checkStability()`; the model still runs.
   */
  'integrator:unstable': {
    /** Id of the integrator plugin. */
    readonly integrator: string;
    /** Path of the block in the model spec (`''` at the root). */
    readonly path: string;
    /** The layer with the smallest limit. */
    readonly layer: number;
    /** The block's ω. */
    readonly omega: number;
    /** The largest stable ω for that layer. */
    readonly maxOmega: number;
    /** The rule in words. */
    readonly rule: string;
  };
  /** A backend could not be initialized. */
  'backend:failed': {
    /** The backend name that was asked for or tried. */
    readonly backend: string;
    /** Plugin id of the backend adapter (the name asked for when none is registered under it). */
    readonly id: string;
    /** Why it could not be initialized. */
    readonly reason: string;
  };
}

/** Discriminated union (on `type`) of everything {@link Registry.events$} emits. */
export type RegistryEvent = {
  [K in keyof RegistryEventMap]: {
    /** The event's name: a key of {@link RegistryEventMap}. */
    readonly type: K;
  } & RegistryEventMap[K];
}[keyof RegistryEventMap];
