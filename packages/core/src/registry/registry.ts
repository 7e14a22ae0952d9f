import { Subject, type Observable } from 'rxjs';
import { distance } from 'fastest-levenshtein';
import {
  BackendUnavailableError,
  DuplicatePluginError,
  ErrorCodes,
  UnknownPluginError,
  ValidationError,
  describeValue,
} from '../errors/errors.js';
import { validate } from '../schema/validate.js';
import { tf } from '../tensor/tf.js';
import type { AnyPlugin, Backend, PluginByKind, PluginKind } from '../plugins/types.js';
import { PLUGIN_ID_PATTERN } from '../plugins/define.js';
import type { RegistryEvent } from './events.js';

const KINDS: readonly PluginKind[] = ['kernel', 'activation', 'integrator', 'reservoir', 'optimizer', 'backend', 'stage'];

/** A reference to a plugin in a spec or config: its id, optionally with options. */
export type PluginRef =
  | string
  | {
      /** The plugin's namespaced id, e.g. `@npde/kernels/adr`. */
      readonly id: string;
      /** Options, validated against the plugin's schema (defaults fill what is left out). */
      readonly options?: unknown;
    };

/** A plugin resolved from a {@link PluginRef}, with validated options. */
export interface ResolvedPlugin<K extends PluginKind> {
  /** The plugin. */
  readonly plugin: PluginByKind[K];
  /** Its options after validation (defaults applied). */
  readonly options: unknown;
}

/** Outcome of {@link Registry.ready}. */
export interface BackendReport {
  /** tfjs backend name now active. */
  readonly name: string;
  /** Plugin id of the backend adapter. */
  readonly id: string;
  /** Every backend tried before, in order, with the reason it failed. */
  readonly failed: readonly {
    /** The backend name (or id) that was tried. */
    readonly backend: string;
    /** Why it could not be initialized. */
    readonly reason: string;
  }[];
}

/** Options of {@link Registry.ready}. */
export interface ReadyOptions {
  /**
   * Backend name(s) or id(s) to try, in order. Omitted: every registered backend,
   * highest priority first.
   */
  readonly backend?: string | readonly string[];
  /**
   * Options per backend, keyed by tfjs name, alias or plugin id (e.g.
   * `{ wasm: { wasmPaths: '/assets/' } }`); each is validated against that
   * backend's schema. Backends without an entry get `{}`.
   */
  readonly backendOptions?: Readonly<Record<string, unknown>>;
}

/**
 * The one plugin registry. Ids are namespaced (`<package>/<name>`); registering
 * the same object twice is a no-op, a different object under a taken id throws
 * {@link DuplicatePluginError}; unknown ids throw {@link UnknownPluginError} with
 * "did you mean" suggestions. Everything it does is announced on {@link Registry.events$}.
 *
 * @example
 * ```ts
 * const registry = new Registry().register(adr, tanh, euler);
 * registry.events$.subscribe((e) => console.log(e.type));
 * const kernel = registry.get('kernel', '@npde/kernels/adr');
 * ```
 */
export class Registry {
  private readonly plugins = new Map<string, AnyPlugin>();
  private readonly subject = new Subject<RegistryEvent>();
  private readonly defaults = new Map<PluginKind, string>();

  /** Stream of {@link RegistryEvent}s (hot: subscribe before acting). */
  readonly events$: Observable<RegistryEvent> = this.subject.asObservable();

  /**
   * Emit an event on {@link Registry.events$}. Plugins announce their own event
   * types this way after declaring them in {@link RegistryEventMap} by
   * declaration merging, so subscribers get them typed.
   *
   * @example
   * ```ts
   * declare module '@npde/core' {
   *   interface RegistryEventMap { 'my-plugin:warmed-up': { readonly ms: number } }
   * }
   * registry.emit({ type: 'my-plugin:warmed-up', ms: 12 });
   * ```
   */
  emit(event: RegistryEvent): void {
    this.subject.next(event);
  }

  /**
   * Whether anything subscribes to {@link Registry.events$} now. An event emitted while
   * nothing does reaches no one, so work done only to emit one (e.g. a model's stability
   * check when it is created) can be skipped.
   */
  get observed(): boolean {
    return this.subject.observed;
  }

  /**
   * Make `id` the default plugin of `kind`: what a spec gets when it leaves
   * that part out (a pde block's integrator and reservoir; the stage a
   * one-block model spec becomes). Core names no concrete plugin: the package
   * that assembles a registry (the `npde` umbrella) sets them. Returns `this`.
   */
  setDefault(kind: PluginKind, id: string): this {
    this.defaults.set(kind, id);
    return this;
  }

  /**
   * The default id of `kind` set by {@link Registry.setDefault}. Throws a
   * {@link ValidationError} naming `path` when none is set, saying what to name.
   */
  defaultId(kind: PluginKind, path: string): string {
    const id = this.defaults.get(kind);
    if (id !== undefined) return id;
    const known = this.list(kind).map((p) => p.id);
    throw new ValidationError(ErrorCodes.INVALID_SPEC, `no ${kind} given and this registry has no default ${kind}`, {
      path,
      expected: `a ${kind} id${known.length ? ` (registered: ${known.join(', ')})` : ''}`,
      received: 'nothing',
      hint: `Name the ${kind} in the spec, or call registry.setDefault('${kind}', id) (the npde package's default registry sets one).`,
    });
  }

  /** Register plugins (or arrays of them). Returns `this` for chaining. */
  register(...plugins: (AnyPlugin | readonly AnyPlugin[])[]): this {
    for (const p of plugins.flat() as AnyPlugin[]) this.registerOne(p);
    return this;
  }

  private registerOne(plugin: AnyPlugin): void {
    if (!plugin || typeof plugin !== 'object' || !KINDS.includes(plugin.kind)) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'not a plugin', {
        path: 'plugin.kind',
        expected: `one of ${KINDS.join(', ')} (make plugins with the defineX() helpers)`,
        received: describeValue((plugin as { kind?: unknown } | undefined)?.kind),
      });
    }
    if (typeof plugin.id !== 'string' || !PLUGIN_ID_PATTERN.test(plugin.id)) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'plugin id is not namespaced', {
        path: 'plugin.id',
        expected: "'<package>/<name>', e.g. '@my-scope/my-package/my-kernel'",
        received: describeValue(plugin.id),
        hint: 'Use your npm package name as the namespace so ids never collide.',
      });
    }
    const existing = this.plugins.get(plugin.id);
    if (existing === plugin) return;
    if (existing) {
      throw new DuplicatePluginError(ErrorCodes.DUPLICATE_PLUGIN, `id '${plugin.id}' is already taken`, {
        plugin: plugin.id,
        expected: 'a unique id, or the very same plugin object',
        received: `a different ${plugin.kind} plugin ("${plugin.description}") than the registered ${existing.kind} ("${existing.description}")`,
        hint: 'Two packages define the same id, or a package is installed twice in different versions (`npm ls` shows which).',
      });
    }
    this.plugins.set(plugin.id, plugin);
    this.subject.next({ type: 'plugin:registered', kind: plugin.kind, id: plugin.id });
  }

  /** Whether a plugin of `kind` is registered under `id`. */
  has(kind: PluginKind, id: string): boolean {
    return this.plugins.get(id)?.kind === kind;
  }

  /** The plugin of `kind` registered under `id`; throws {@link UnknownPluginError} with suggestions. */
  get<K extends PluginKind>(kind: K, id: string, path?: string): PluginByKind[K] {
    const p = this.plugins.get(id);
    if (p && p.kind === kind) return p as PluginByKind[K];
    const suggestions = this.suggest(kind, id);
    const hint = suggestions.length
      ? `Did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?`
      : `No ${kind} plugins are registered with a similar id; \`npde plugins\` lists them (import the package that defines it, e.g. its /register entry).`;
    throw new UnknownPluginError(`unknown ${kind} '${id}'`, {
      path,
      expected: `a registered ${kind} id`,
      received: describeValue(id),
      hint,
      suggestions,
    });
  }

  /** Every registered plugin, or those of one kind, sorted by id. */
  list<K extends PluginKind>(kind?: K): PluginByKind[K][] {
    return [...this.plugins.values()]
      .filter((p) => kind === undefined || p.kind === kind)
      .sort((a, b) => a.id.localeCompare(b.id)) as PluginByKind[K][];
  }

  /** Ids of `kind` that resemble `id` (edit distance on the whole id and on its last segment), best first. */
  suggest(kind: PluginKind, id: string): string[] {
    const local = (s: string) => s.slice(s.lastIndexOf('/') + 1).toLowerCase();
    const q = id.toLowerCase();
    const scored = this.list(kind).map((p) => {
      const d = Math.min(distance(q, p.id.toLowerCase()), distance(local(q), local(p.id)) + (q.includes('/') ? 1 : 0));
      return { id: p.id, d };
    });
    const limit = Math.max(2, Math.floor(local(q).length / 3));
    return scored
      .filter((s) => s.d <= limit)
      .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
      .slice(0, 3)
      .map((s) => s.id);
  }

  /**
   * Resolve a {@link PluginRef} from a spec: look the id up and validate its
   * options, reporting problems under `path` (e.g. `kernel`).
   */
  resolve<K extends PluginKind>(kind: K, ref: PluginRef, path: string): ResolvedPlugin<K> {
    const id = typeof ref === 'string' ? ref : ref.id;
    const plugin = this.get(kind, id, typeof ref === 'string' ? path : `${path}.id`);
    const raw = typeof ref === 'string' ? {} : (ref.options ?? {});
    const options = validate(plugin.options, raw, { path: `${path}.options`, plugin: plugin.id });
    return { plugin, options };
  }

  /** Find a backend by tfjs name (`wasm`), alias (`cuda`) or plugin id. */
  backend(nameOrId: string): Backend<unknown> | undefined {
    return this.list('backend').find((b) => b.name === nameOrId || b.id === nameOrId || (b.aliases ?? []).includes(nameOrId));
  }

  /**
   * Initialize a tensor backend: the one(s) asked for, in order, or every
   * registered backend by descending priority. Resolves with the one that
   * works; rejects with {@link BackendUnavailableError} listing each backend
   * tried and why it failed. Emits `backend:ready` / `backend:failed`.
   *
   * @example
   * ```ts
   * await registry.ready({ backend: 'wasm' });
   * ```
   */
  async ready(options: ReadyOptions = {}): Promise<BackendReport> {
    const asked = options.backend === undefined ? undefined : ([] as string[]).concat(options.backend);
    const all = this.list('backend');
    const candidates: { name: string; backend?: Backend<unknown> }[] = asked
      ? asked.map((n) => ({ name: n, backend: this.backend(n) }))
      : [...all].sort((a, b) => b.priority - a.priority).map((b) => ({ name: b.name, backend: b }));
    const failed: { backend: string; reason: string }[] = [];
    for (const c of candidates) {
      if (!c.backend) {
        const names = all.map((b) => b.name);
        const close = names.filter((n) => distance(n, c.name) <= 2);
        const reason = `no backend named '${c.name}' is registered (registered: ${names.join(', ') || 'none'})${close.length ? `; did you mean '${close[0]}'?` : ''}`;
        failed.push({ backend: c.name, reason });
        this.subject.next({ type: 'backend:failed', backend: c.name, id: c.name, reason });
        continue;
      }
      const b = c.backend;
      const given = options.backendOptions ?? {};
      const key = [b.name, b.id, ...(b.aliases ?? [])].find((k) => k in given);
      // Bad options are the caller's mistake, not a backend that is unavailable: they throw here.
      const backendOpts = validate(b.options, key === undefined ? {} : given[key], { path: `backendOptions.${key ?? b.name}`, plugin: b.id });
      const t0 = performance.now();
      try {
        await b.setup(backendOpts);
        const ok = await tf.setBackend(b.name);
        if (!ok) throw new Error(`tf.setBackend('${b.name}') returned false (the backend failed to initialize)`);
        await tf.ready();
        const ms = performance.now() - t0;
        this.subject.next({ type: 'backend:ready', backend: b.name, id: b.id, ms });
        return { name: b.name, id: b.id, failed };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        failed.push({ backend: b.name, reason });
        this.subject.next({ type: 'backend:failed', backend: b.name, id: b.id, reason });
      }
    }
    throw new BackendUnavailableError('no tensor backend could be initialized', {
      path: 'backend',
      expected: asked ? `one of: ${asked.join(', ')}` : 'at least one registered backend',
      received: failed.length ? failed.map((f) => `${f.backend}: ${f.reason}`).join('; ') : 'no backends registered',
      hint: asked
        ? `Try another backend (registered: ${all.map((b) => b.name).join(', ') || 'none'}), or install what the reason names.`
        : "Register a backend, e.g. import '@npde/backend-wasm/register'.",
      attempts: failed,
    });
  }
}

const GLOBAL_KEY = Symbol.for('@npde/core/registry');

/**
 * The process-wide registry, shared through a global symbol so that two copies
 * of `@npde/core` in one process still see the same plugins. Plugin packages'
 * `/register` entries add themselves to it.
 */
export function globalRegistry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[GLOBAL_KEY] ??= new Registry());
}
