/** The kinds of plugin the generator scaffolds (npde's `PluginKind`). */
export type PluginKind = 'kernel' | 'activation' | 'integrator' | 'reservoir' | 'optimizer' | 'stage' | 'backend';

/** Options of the `plugin` generator (schema.json). */
export interface PluginGeneratorSchema {
  /** Package folder name (kebab-case): creates `<directory>/<name>`. */
  name: string;
  /** The kind of plugin to scaffold. */
  kind: PluginKind;
  /** npm package name and plugin-id namespace (default `@npde/<name>`). */
  importPath?: string;
  /** Folder the package is created in (default `packages`). */
  directory?: string;
  /** Skip formatting the generated files. */
  skipFormat?: boolean;
}
