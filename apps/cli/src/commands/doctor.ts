import type { Command } from 'commander';
import { createDefaultRegistry, stencilRelaxPath, tf, type Backend, type Registry } from 'npde';
import { table } from '../ui/table.js';
import { parseBackends, runAction } from './shared.js';

/** What `npde doctor` found about one backend. */
export interface BackendDiagnosis {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly priority: number;
  readonly available: boolean;
  readonly reason: string | null;
  /** npde's fused kernels registered for this backend (after initializing it). */
  readonly fusedKernels: readonly string[];
  /** How the fused stencil-relaxation op runs there (`fused-zero-copy`, `fused-copy`, `fused-cpu`, `op-path`) and why; null when unavailable. */
  readonly stencilPath: { readonly mode: string; readonly reason: string } | null;
}

/**
 * Probe every registered backend: cheap `probe()` first, then a real
 * initialization of each one that says it is available (so the answer is
 * what a run would meet), listing npde's fused kernels it then has.
 */
export async function diagnoseBackends(registry: Registry): Promise<BackendDiagnosis[]> {
  const out: BackendDiagnosis[] = [];
  const backends = [...registry.list('backend')].sort((a, b) => b.priority - a.priority) as Backend<unknown>[];
  for (const b of backends) {
    const probe = b.probe ? await b.probe().catch((e: unknown) => ({ available: false, reason: String(e) })) : { available: true };
    let available = probe.available;
    let reason = probe.reason ?? null;
    let stencilPath: BackendDiagnosis['stencilPath'] = null;
    if (available) {
      try {
        await registry.ready({ backend: b.name });
        const p = stencilRelaxPath();
        stencilPath = { mode: p.mode, reason: p.reason };
      } catch (e) {
        available = false;
        reason = e instanceof Error ? e.message : String(e);
      }
    }
    const fusedKernels = tf
      .getKernelsForBackend(b.name)
      .map((k) => k.kernelName)
      .filter((n) => n.startsWith('Npde'))
      .sort();
    out.push({ id: b.id, name: b.name, aliases: b.aliases ?? [], priority: b.priority, available, reason, fusedKernels, stencilPath });
  }
  return out;
}

/** `npde doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check every tensor backend: available or not (and why), its priority, and the fused kernels it has')
    .option('--json', 'print JSON')
    .option('--backend <names>', 'accepted for symmetry with the other commands (not used here)', parseBackends)
    .action(async (opts: { json?: boolean }) =>
      runAction(Boolean(opts.json), async () => {
        const diagnosis = await diagnoseBackends(createDefaultRegistry());
        if (opts.json) {
          process.stdout.write(JSON.stringify({ node: process.version, platform: `${process.platform}-${process.arch}`, backends: diagnosis }) + '\n');
          return;
        }
        const rows = [['backend', 'aliases', 'priority', 'status', 'fused kernels', 'stencil step runs as']];
        for (const d of diagnosis) {
          rows.push([
            d.name,
            d.aliases.join(', ') || '-',
            String(d.priority),
            d.available ? 'available' : 'not available',
            d.fusedKernels.join(', ') || 'none',
            d.stencilPath?.mode ?? '-',
          ]);
        }
        const lines = [`node ${process.version} on ${process.platform}-${process.arch}`, '', table(rows), ''];
        for (const d of diagnosis.filter((x) => x.stencilPath)) lines.push(`${d.name}: ${d.stencilPath!.mode} — ${d.stencilPath!.reason}`);
        lines.push('');
        for (const d of diagnosis.filter((x) => !x.available)) lines.push(`${d.name} (${d.id}) is not available:`, `  ${(d.reason ?? '').replace(/\n/g, '\n  ')}`, '');
        const order = diagnosis.filter((d) => d.available).map((d) => d.name);
        lines.push(`default order: ${diagnosis.map((d) => d.name).join(' → ')} (highest priority first); usable here: ${order.join(', ') || 'none'}`);
        lines.push('override with --backend <name>[,<name>...], e.g. --backend cuda,wasm');
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
}
