#!/usr/bin/env node
// Checks the shipped wasm/stencil_relax.wasm (plain Node, no dependencies):
//  1. its sections: no data (nor datacount) section, no memory section (the memory is
//     imported as env.memory, not defined), no start function, no custom sections,
//     exactly the expected function exports and nothing else exported;
//  2. its code: no global.get/global.set (so no shadow stack in linear memory: on the
//     tfjs heap that would overwrite whatever lies at the stack's address), no
//     call_indirect, no memory.grow, no bulk-memory instructions;
//  3. when clang (and wasm-ld) are found: a rebuild from csrc/ into a temporary folder is
//     byte-identical to the shipped file. A clang other than the pinned major version
//     cannot reproduce the bytes: that is reported as skipped (NPDE_WASM_STRICT=1 fails).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectModule } from './wasm-sections.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const shipped = path.join(pkg, 'wasm', 'stencil_relax.wasm');
const EXPECTED_EXPORTS = ['npde_stencil_bwd', 'npde_stencil_bwd_cached', 'npde_stencil_caches', 'npde_stencil_fwd', 'npde_stencil_fwd_keep', 'npde_stencil_scratch_floats'];
const PINNED_CLANG_MAJOR = 14;

const failures = [];
const fail = (msg) => failures.push(msg);

const bytes = readFileSync(shipped);
let info;
try {
  info = inspectModule(bytes);
} catch (err) {
  console.error(`check-wasm: ${shipped} does not parse: ${err.message}`);
  process.exit(1);
}
const ids = info.sections.map((s) => s.id);
if (ids.includes(11)) fail('it has a data section (static data: tables, strings, constants in memory)');
if (ids.includes(12)) fail('it has a datacount section');
if (ids.includes(5)) fail('it defines a memory; the memory must be imported');
if (ids.includes(8)) fail('it has a start function');
const custom = info.sections.filter((s) => s.id === 0).map((s) => s.customName);
if (custom.length) fail(`it has custom sections (${custom.join(', ')}); build with --strip-all`);

const memImports = info.imports.filter((i) => i.kind === 'memory');
const otherImports = info.imports.filter((i) => i.kind !== 'memory');
if (memImports.length !== 1 || memImports[0].module !== 'env' || memImports[0].name !== 'memory') {
  fail(`it must import exactly one memory, env.memory; imports: ${JSON.stringify(info.imports)}`);
} else if (memImports[0].limits.shared) {
  fail('its memory import is shared; the tfjs heap (non-threaded) is not');
} else if (memImports[0].limits.min > 1) {
  fail(`its memory import asks for ${memImports[0].limits.min} pages at least; 1 is enough (no static data, no stack)`);
}
if (otherImports.length) fail(`it imports more than its memory: ${JSON.stringify(otherImports)}`);

const exported = info.exports.map((e) => `${e.name}:${e.kind}`).sort();
const wanted = EXPECTED_EXPORTS.map((n) => `${n}:function`).sort();
if (JSON.stringify(exported) !== JSON.stringify(wanted)) fail(`exports are [${exported.join(', ')}], expected [${wanted.join(', ')}]`);

const forbidden = { '0x23': 'global.get', '0x24': 'global.set', '0x11': 'call_indirect', '0x40': 'memory.grow' };
for (const [op, name] of Object.entries(forbidden)) {
  if (info.opcodes.has(op)) fail(`its code uses ${name} (${info.opcodes.get(op)} times)`);
}
for (const op of info.opcodes.keys()) {
  if (op.startsWith('0xfc:') && Number(op.slice(5)) >= 8) fail(`its code uses a bulk-memory/table instruction (${op})`);
}

const summary = `${bytes.length} bytes; sections ${info.sections.map((s) => s.name).join(', ')}; ${info.functionCount} functions; exports ${EXPECTED_EXPORTS.join(', ')}`;
if (failures.length) {
  console.error(`check-wasm: FAILED for ${path.relative(process.cwd(), shipped)}\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log(`check-wasm: structure ok (${summary})`);

// --- Reproducibility -------------------------------------------------------------
const clang = process.env.CLANG ?? 'clang';
const which = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (which.error || which.status !== 0) {
  console.log('check-wasm: rebuild skipped: clang not found');
  process.exit(0);
}
const version = which.stdout.split('\n')[0].trim();
const major = Number(/clang version (\d+)/.exec(version)?.[1]);
const lld = spawnSync('wasm-ld', ['--version'], { encoding: 'utf8' });
if (lld.error || lld.status !== 0) {
  console.log('check-wasm: rebuild skipped: clang found but wasm-ld not found (apt-get install -y lld)');
  process.exit(0);
}
if (major !== PINNED_CLANG_MAJOR) {
  const msg = `check-wasm: rebuild skipped: ${version} is not the pinned clang ${PINNED_CLANG_MAJOR} (Debian 14.0.6), whose output is shipped`;
  if (process.env.NPDE_WASM_STRICT === '1') {
    console.error(msg.replace('skipped', 'FAILED'));
    process.exit(1);
  }
  console.log(msg);
  process.exit(0);
}
const tmp = mkdtempSync(path.join(tmpdir(), 'npde-wasm-check-'));
try {
  const out = path.join(tmp, 'stencil_relax.wasm');
  execFileSync('sh', [path.join(here, 'build-wasm.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const rebuilt = readFileSync(out);
  if (!rebuilt.equals(bytes)) {
    let at = 0;
    while (at < Math.min(rebuilt.length, bytes.length) && rebuilt[at] === bytes[at]) at++;
    console.error(
      `check-wasm: FAILED: a rebuild with ${version} differs from the shipped file (${rebuilt.length} vs ${bytes.length} bytes, first difference at byte ${at}). Run npm run build:wasm and commit wasm/stencil_relax.wasm.`,
    );
    process.exit(1);
  }
  console.log(`check-wasm: rebuild with ${version} is byte-identical`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
