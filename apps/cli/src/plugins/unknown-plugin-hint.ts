import { UnknownPluginError, type NpdeError } from 'npde';

/**
 * The package a plugin id names by convention (`<package>/<name>`): the id
 * without its last segment, or undefined for npde's own namespace (`@npde/…`),
 * whose plugins are built in.
 */
export function packageOfId(id: string): string | undefined {
  const cut = id.lastIndexOf('/');
  if (cut <= 0) return undefined;
  const pkg = id.slice(0, cut);
  return pkg.startsWith('@npde/') || pkg === 'npde' ? undefined : pkg;
}

/** The summary an {@link NpdeError} was made with, read back from its formatted message. */
function summaryOf(err: NpdeError): string {
  let line = err.message.split('\n')[0]!;
  const where = [err.plugin ? `'${err.plugin}'` : '', err.hook ? `(${err.hook})` : ''].filter(Boolean).join(' ');
  if (where && line.startsWith(`${where}: `)) line = line.slice(where.length + 2);
  if (err.path && line.startsWith(`${err.path}: `)) line = line.slice(err.path.length + 2);
  const cut = err.expected !== undefined || err.received !== undefined ? line.lastIndexOf(' — expected ') : -1;
  return cut >= 0 ? line.slice(0, cut) : line;
}

/**
 * An {@link UnknownPluginError} for the CLI: the same error, with a hint that
 * says the CLI imports only the plugin packages it is told about, and how to
 * name the one the id comes from (`--plugin <package>`, or the config's
 * `plugins` list where `inConfig` is set).
 */
export function withCliPluginHint(err: UnknownPluginError, inConfig: boolean): UnknownPluginError {
  let id: string | undefined;
  try {
    id = err.received === undefined ? undefined : (JSON.parse(err.received) as string);
  } catch {
    id = undefined;
  }
  const pkg = id === undefined ? undefined : packageOfId(id);
  const where = inConfig ? ', or list it in the config\'s "plugins"' : '';
  const extra = pkg
    ? `npde imports no plugin code on its own: if '${id}' comes from a plugin package, name it with --plugin ${pkg} (a package name or a path to it)${where}.`
    : `Plugins from other packages load only when named: --plugin <package or path>${where}.`;
  return new UnknownPluginError(summaryOf(err), {
    ...(err.path !== undefined ? { path: err.path } : {}),
    ...(err.expected !== undefined ? { expected: err.expected } : {}),
    ...(err.received !== undefined ? { received: err.received } : {}),
    ...(err.plugin !== undefined ? { plugin: err.plugin } : {}),
    ...(err.hook !== undefined ? { hook: err.hook } : {}),
    hint: err.hint ? `${err.hint} ${extra}` : extra,
    suggestions: err.suggestions,
    cause: err,
  });
}

/**
 * Wrap a command body so that an unknown plugin id (from a config's model, a
 * saved model, an optimizer ref) fails with `NPDE_UNKNOWN_PLUGIN` and a hint
 * to pass `--plugin` (see {@link withCliPluginHint}).
 */
export function withPluginHint(body: () => Promise<void>, inConfig = false): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err) {
      throw err instanceof UnknownPluginError ? withCliPluginHint(err, inConfig) : err;
    }
  };
}

/** Run `fn`; an {@link UnknownPluginError} it throws gets the CLI's `--plugin` hint ({@link withCliPluginHint}). */
export async function hintUnknownPlugins<T>(fn: () => Promise<T> | T, inConfig = false): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof UnknownPluginError ? withCliPluginHint(err, inConfig) : err;
  }
}
