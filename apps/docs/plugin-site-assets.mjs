// @ts-check
/**
 * TypeDoc plugin: after the site is written, copies KaTeX's stylesheet and fonts into
 * <out>/assets/katex/ (site.css imports it), bundles the playground page script
 * (apps/docs/playground/main.ts, with npde's browser entries) into <out>/assets/playground.js
 * and copies the .wasm files it fetches (tfjs's backend and npde's fused kernels) into
 * <out>/assets/wasm/. A bundling error fails the build.
 *
 * @param {import('typedoc').Application} app
 */
import { copyFile, cp, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { RendererEvent } from 'typedoc';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** The .wasm files the page fetches, by file name. */
function wasmFiles() {
  const require = createRequire(import.meta.url);
  const wasmPkg = path.dirname(require.resolve('@npde/backend-wasm/package.json'));
  const tfjsDist = path.dirname(createRequire(path.join(wasmPkg, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  /** @type {Map<string, string>} */
  const files = new Map();
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) files.set(f, path.join(tfjsDist, f));
  for (const f of ['stencil_relax.wasm', 'channel_stencil.wasm']) files.set(f, path.join(wasmPkg, 'wasm', f));
  return files;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.postRenderAsyncJobs.push(async (/** @type {RendererEvent} */ event) => {
    const assets = path.join(event.outputDirectory, 'assets');
    const result = await build({
      entryPoints: [path.join(here, 'playground', 'main.ts')],
      absWorkingDir: root,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@npde/source'],
      minify: true,
      write: false,
      outfile: 'playground.js',
      logLevel: 'silent',
    });
    for (const w of result.warnings) app.logger.warn(`playground bundle: ${w.text} (${w.location?.file ?? '?'})`);
    await writeFile(path.join(assets, 'playground.js'), result.outputFiles[0].contents);
    const katexDist = path.join(path.dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist');
    await cp(path.join(katexDist, 'katex.min.css'), path.join(assets, 'katex', 'katex.min.css'));
    await cp(path.join(katexDist, 'fonts'), path.join(assets, 'katex', 'fonts'), { recursive: true });
    await mkdir(path.join(assets, 'wasm'), { recursive: true });
    for (const [name, file] of wasmFiles()) await copyFile(file, path.join(assets, 'wasm', name));
    app.logger.info(`playground: bundled into ${path.relative(root, assets)}/playground.js`);
  });
}
