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
  'plugin:registered': { readonly kind: PluginKind; readonly id: string };
  /** A backend is initialized and active. */
  'backend:ready': { readonly backend: string; readonly id: string; readonly ms: number };
  /** A backend could not be initialized. */
  'backend:failed': { readonly backend: string; readonly id: string; readonly reason: string };
}

/** Discriminated union (on `type`) of everything {@link Registry.events$} emits. */
export type RegistryEvent = {
  [K in keyof RegistryEventMap]: { readonly type: K } & RegistryEventMap[K];
}[keyof RegistryEventMap];
