import { ErrorCodes, PluginError } from 'npde';

/** Where loading a plugin package failed: finding it, importing it, or finding plugins in it. */
export type PluginPackageStage = 'resolve' | 'import' | 'register';

/**
 * A plugin package named with `--plugin` (or a config's `plugins` list) could
 * not be used: it was not found (`hook: 'resolve'`), it threw or failed to
 * parse while being imported (`'import'`, the original error as `cause`), or
 * it exports no npde plugin and registered none (`'register'`). Code
 * `NPDE_PLUGIN_FAILED`; `plugin` is the package as the user named it. The
 * message is one line (no hint line), so the CLI prints one line.
 *
 * @example
 * ```ts
 * try { await loadPluginPackages(registry, [{ spec: './nope' }]); }
 * catch (e) { if (e instanceof PluginPackageError) console.log(e.hook, e.plugin); }
 * ```
 */
export class PluginPackageError extends PluginError {
  /** The stage that failed (the same as `hook`). */
  readonly stage: PluginPackageStage;
  /** The file the package resolved to, when it got that far. */
  readonly file: string | undefined;

  /**
   * @param stage - Where it failed.
   * @param spec - The package or path as the user named it.
   * @param summary - What went wrong, in a few words.
   * @param details - Where it was named (`path`), what was expected and received, the original error.
   */
  constructor(
    stage: PluginPackageStage,
    spec: string,
    summary: string,
    details: {
      /** Where the user named the package: `--plugin` or `plugins[i]` of the config. */
      readonly path: string;
      /** What was expected. */
      readonly expected: string;
      /** What was found, on one line. */
      readonly received: string;
      /** The resolved file, if any. */
      readonly file?: string;
      /** The original error. */
      readonly cause?: unknown;
    },
  ) {
    super(ErrorCodes.PLUGIN_FAILED, summary, { plugin: spec, hook: stage, path: details.path, expected: details.expected, received: oneLine(details.received), cause: details.cause });
    this.stage = stage;
    this.file = details.file;
  }
}

/** The first line of a message, trimmed to 200 characters. */
export function oneLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > 200 ? line.slice(0, 197) + '...' : line;
}
