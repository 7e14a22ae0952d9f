/**
 * Plugin packages named on the command line (`--plugin`) or in a config's
 * `plugins` list: resolution, import, registration and their errors.
 *
 * @module
 */
export { PluginPackageError, oneLine, type PluginPackageStage } from './plugin-package-error.js';
export { isPathSpec, packageEntry, resolvePluginSpec, splitPackageSpec } from './resolve-plugin.js';
export { exportedPlugins, loadPluginPackages, type LoadedPluginPackage, type PluginRequest } from './load-plugins.js';
export { hintUnknownPlugins, packageOfId, withCliPluginHint, withPluginHint } from './unknown-plugin-hint.js';
export { PLUGIN_OPTION_HELP, addPluginOption, collectPlugin, pluginFlags, pluginRequests, registryWithPlugins } from './plugin-option.js';
