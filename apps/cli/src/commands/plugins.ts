import type { Command } from 'commander';
import type { PluginKind } from 'npde';
import { PLUGIN_OPTION_HELP, collectPlugin, pluginRequests, registryWithPlugins } from '../plugins/index.js';
import { table } from '../ui/table.js';
import { parseBackends, runAction } from './shared.js';

const ORDER: PluginKind[] = ['kernel', 'activation', 'integrator', 'reservoir', 'optimizer', 'stage', 'backend'];

/** `npde plugins`. */
export function registerPlugins(program: Command): void {
  program
    .command('plugins')
    .description('list the plugins the registry holds (kernels, activations, integrators, reservoirs, optimizers, backends)')
    .option('--json', 'print JSON')
    .option('--backend <names>', 'accepted for symmetry with the other commands (not used here)', parseBackends)
    .option('--plugin <package>', PLUGIN_OPTION_HELP, collectPlugin, [])
    .action(async (opts: { json?: boolean; plugin: string[] }) =>
      runAction(Boolean(opts.json), async () => {
        const { registry, loaded } = await registryWithPlugins(pluginRequests(opts.plugin));
        const plugins = registry.list();
        const source = new Map(loaded.flatMap((pkg) => pkg.plugins.map((p) => [p, pkg.spec] as const)));
        if (opts.json) {
          process.stdout.write(
            JSON.stringify(
              plugins.map((p) => ({
                kind: p.kind,
                id: p.id,
                description: p.description,
                ...(p.kind === 'backend' ? { name: p.name, priority: p.priority } : {}),
                ...(source.has(p) ? { package: source.get(p) } : {}),
              })),
            ) + '\n',
          );
          return;
        }
        const out: string[] = [];
        for (const kind of ORDER) {
          const ps = registry.list(kind);
          if (!ps.length) continue;
          out.push(`${kind}s`);
          const describe = (p: (typeof ps)[number]) =>
            (p.kind === 'backend' ? `${p.description} (name '${p.name}', priority ${p.priority})` : p.description) + (source.has(p) ? ` [from ${source.get(p)}]` : '');
          out.push(table([['id', 'description'], ...ps.map((p) => [p.id, describe(p)])]));
          out.push('');
        }
        process.stdout.write(out.join('\n'));
      }),
    );
}
