import type { Command } from 'commander';
import { createDefaultRegistry, type PluginKind } from 'npde';
import { table } from '../ui/table.js';
import { parseBackends, runAction } from './shared.js';

const ORDER: PluginKind[] = ['kernel', 'activation', 'integrator', 'reservoir', 'optimizer', 'backend'];

/** `npde plugins`. */
export function registerPlugins(program: Command): void {
  program
    .command('plugins')
    .description('list the plugins the registry holds (kernels, activations, integrators, reservoirs, optimizers, backends)')
    .option('--json', 'print JSON')
    .option('--backend <names>', 'accepted for symmetry with the other commands (not used here)', parseBackends)
    .action(async (opts: { json?: boolean }) =>
      runAction(Boolean(opts.json), async () => {
        const registry = createDefaultRegistry();
        const plugins = registry.list();
        if (opts.json) {
          process.stdout.write(
            JSON.stringify(plugins.map((p) => ({ kind: p.kind, id: p.id, description: p.description, ...(p.kind === 'backend' ? { name: p.name, priority: p.priority } : {}) }))) + '\n',
          );
          return;
        }
        const out: string[] = [];
        for (const kind of ORDER) {
          const ps = registry.list(kind);
          if (!ps.length) continue;
          out.push(`${kind}s`);
          out.push(table([['id', 'description'], ...ps.map((p) => [p.id, p.kind === 'backend' ? `${p.description} (name '${p.name}', priority ${p.priority})` : p.description])]));
          out.push('');
        }
        process.stdout.write(out.join('\n'));
      }),
    );
}
