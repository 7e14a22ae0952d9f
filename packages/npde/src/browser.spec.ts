// npde in a real browser: the umbrella is bundled for the browser with esbuild (which
// refuses any `node:` import under platform 'browser'), served with the .wasm files
// from a local HTTP server, and run in headless Chromium through playwright-core.
// Skipped with a message when /usr/bin/chromium is missing, except under CI, where it fails.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserRunResult } from './browser.test-util.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
const here = path.dirname(fileURLToPath(import.meta.url));
const haveChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env['CI']);
if (!haveChromium && !inCi) {
  console.warn(`browser.spec.ts: skipped, ${CHROMIUM} is missing (install it: apt-get install -y chromium). CI runs it.`);
}

/** The .wasm files the page fetches from /wasm/: tfjs's three binaries and npde's fused kernels. */
function wasmFiles(): Map<string, string> {
  const require = createRequire(import.meta.url);
  const wasmPkg = path.dirname(require.resolve('@npde/backend-wasm/package.json'));
  const tfjsDist = path.dirname(createRequire(path.join(wasmPkg, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  const files = new Map<string, string>();
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) files.set(f, path.join(tfjsDist, f));
  files.set('stencil_relax.wasm', path.join(wasmPkg, 'wasm', 'stencil_relax.wasm'));
  return files;
}

describe.skipIf(!haveChromium && !inCi)('npde in headless Chromium', () => {
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let origin = '';
  let metafile: Metafile;
  let warnings: string[] = [];
  const served: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI must run the browser test, but ${CHROMIUM} is missing: apt-get install -y chromium`);
    const bundle = await build({
      entryPoints: [path.join(here, 'browser.test-util.ts')],
      absWorkingDir: path.resolve(here, '../../..'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@npde/source'],
      write: false,
      metafile: true,
      outfile: 'bundle.js',
      logLevel: 'silent',
    });
    metafile = bundle.metafile!;
    warnings = bundle.warnings.map((w) => `${w.id}: ${w.text} (${w.location?.file ?? '?'})`);
    const js = bundle.outputFiles[0]!.contents;
    const wasm = wasmFiles();
    const page = '<!doctype html><meta charset="utf-8"><title>npde</title><script type="module" src="/bundle.js"></script>';
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      served.push(`${req.method} ${url.pathname}`);
      const send = (type: string, body: string | Uint8Array) => {
        res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (url.pathname === '/') return send('text/html', page);
      if (url.pathname === '/bundle.js') return send('text/javascript', js);
      const file = url.pathname.startsWith('/wasm/') ? wasm.get(url.pathname.slice('/wasm/'.length)) : undefined;
      if (file) {
        readFile(file).then((b) => send('application/wasm', b), () => res.writeHead(500).end());
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = await mkdtemp(path.join(tmpdir(), 'npde-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('bundles for the browser without a Node adapter, and drops no side-effect import', () => {
    // e.g. "Ignoring this import because ... was marked as having no side effects": a kernel or
    // gradient registration that Node runs but a bundle would silently leave out.
    expect(warnings).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((f) => f.includes('packages/npde/src/index.ts'))).toBe(true);
    expect(inputs.filter((f) => /packages\/[^/]+\/src\/node[/.]|backend-cuda\/src\/(loader|gpu-visibility)\.ts|^node:/.test(f))).toEqual([]);
    expect(inputs.some((f) => f.includes('backend-wasm/src/browser/wasm-host.ts'))).toBe(true);
  });

  it('trains on wasm, predicts, and saves/loads through memory:// and IndexedDB bit for bit', async () => {
    const page = await context!.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'npdeBrowserRun' in globalThis, undefined, { timeout: 60_000 });
    let result: BrowserRunResult;
    try {
      result = await page.evaluate(
        (wasmPaths) => (globalThis as unknown as { npdeBrowserRun(p: string): Promise<BrowserRunResult> }).npdeBrowserRun(wasmPaths),
        '/wasm/',
      );
    } catch (err) {
      throw new Error(`the page failed: ${String(err)}\npage errors: ${pageErrors.join('\n')}\nrequests: ${served.join(', ')}`, { cause: err });
    }
    console.log(`browser run: ${JSON.stringify({ ...result, losses: result.losses.map((l) => Number(l.toPrecision(4))) })}`);

    expect(result.ready).toBe('wasm');
    expect(result.backend).toBe('wasm');
    expect(result.nodeGlobals).toEqual([]);
    // The fused kernels were fetched from wasmPaths (not found: 'op-path').
    expect(['zero-copy', 'copy']).toContain(result.fusedMode);
    expect(served).toContain('GET /wasm/stencil_relax.wasm');
    expect(served.some((s) => /^GET \/wasm\/tfjs-backend-wasm(-simd)?\.wasm$/.test(s))).toBe(true);

    expect(result.losses.length).toBe(8);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]! * 0.9);
    expect(result.predictionShape).toEqual([32, 16]);
    expect(result.predictionFinite).toBe(true);
    expect(result.memoryIdentical).toBe(true);
    expect(result.indexedDbIdentical).toBe(true);
    await page.close();
  }, 180_000);
});
