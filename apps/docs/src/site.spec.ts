// The documentation site as a reader meets it: the built site (`npm test` builds it into
// tmp/docs-site-test first; NPDE_DOCS_SITE points elsewhere) is served from localhost and
// opened in headless Chromium through playwright-core. Checks: the start page, an API page, a
// guide and the theory page render (equations as KaTeX HTML + MathML, no raw TeX), search finds
// NeuralPde, no page links to a missing file or anchor, and the playground trains until the
// learned U, D, R profiles are within 5 % of the true ones. Screenshots of the start page and the
// playground go to tmp/docs-site-screenshots/. Skipped with a message when /usr/bin/chromium is
// missing, except under CI, where it fails.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundState } from '../playground/main.js';

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
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const site = path.resolve(root, process.env['NPDE_DOCS_SITE'] ?? 'tmp/docs-site-test');
const screenshots = path.join(root, 'tmp/docs-site-screenshots');
const haveChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env['CI']);
if (!haveChromium && !inCi) console.warn(`site.spec.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium). CI runs it.`);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.png': 'image/png',
  '.mjs': 'text/javascript',
};

async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await htmlFiles(p)));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

describe.skipIf(!haveChromium && !inCi)('the documentation site in headless Chromium', () => {
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let origin = '';
  const missing: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI must run the docs site test, but ${CHROMIUM} is missing: apt-get install -y chromium`);
    if (!existsSync(path.join(site, 'index.html'))) throw new Error(`no built site at ${site}: run \`npm test\` in apps/docs (it builds the site first) or \`npm run docs\``);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const file = path.join(site, decodeURIComponent(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname));
      if (!file.startsWith(site)) return void res.writeHead(403).end();
      readFile(file).then(
        (body) => {
          res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
          res.end(body);
        },
        () => {
          missing.push(url.pathname);
          res.writeHead(404).end();
        },
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = await mkdtemp(path.join(tmpdir(), 'npde-docs-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 900 } });
    await mkdir(screenshots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  async function open(pathname: string): Promise<Page> {
    const page = await context!.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${pathname}: ${String(e)}`));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${pathname}: ${m.text()}`));
    const response = await page.goto(`${origin}/${pathname}`);
    expect(response?.status(), pathname).toBe(200);
    return page;
  }

  it('renders the start page with links to the guides, the API and the playground', async () => {
    const page = await open('index.html');
    await expect(page.title()).resolves.toMatch(/npde/);
    const links = await page.locator('.tsd-panel a').evaluateAll((as) => as.map((a) => a.textContent?.trim() ?? ''));
    expect(links).toEqual(expect.arrayContaining(['Getting started', 'Theory', 'Playground']));
    // inline math on the start page is rendered, not left as TeX
    expect(await page.locator('.katex').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, 'start-page.png'), fullPage: true });
    console.log(`screenshot: ${path.relative(root, path.join(screenshots, 'start-page.png'))}`);
    await page.close();
  });

  it('renders an API page: NeuralPde with its members', async () => {
    const page = await open('classes/_npde_core.index.NeuralPde.html');
    await expect(page.locator('h1').first().textContent()).resolves.toMatch(/NeuralPde/);
    const members = await page.locator('.tsd-member h3').allTextContents();
    expect(members.join(' ')).toMatch(/create/);
    expect(members.join(' ')).toMatch(/predict/);
    await page.close();
  });

  it('renders a guide with its code, and the theory with rendered equations', async () => {
    const guide = await open('documents/Getting_started.html');
    await expect(guide.locator('pre code').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('NeuralPde.create(spec, { registry })')]));
    await guide.close();

    const theory = await open('documents/Theory.html');
    const display = theory.locator('.katex-display');
    expect(await display.count()).toBeGreaterThanOrEqual(5);
    // each formula is laid out by KaTeX (HTML with its fonts) and carries MathML for assistive tech
    expect(await theory.locator('.katex-display math').count()).toBe(await display.count());
    const box = await display.first().boundingBox();
    expect(box!.height).toBeGreaterThan(10);
    const text = (await theory.locator('.tsd-panel.tsd-typography').first().innerText()).replace(/\s+/g, ' ');
    expect(text).not.toMatch(/\$\$|\\frac|\\omega/); // no raw TeX reaches the reader
    const fontLoaded = await theory.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].some((f) => f.family.includes('KaTeX') && f.status === 'loaded');
    });
    expect(fontLoaded).toBe(true);
    await theory.close();
  });

  it('search finds NeuralPde', async () => {
    const page = await open('index.html');
    await page.click('#tsd-search-trigger');
    await page.fill('#tsd-search-input', 'NeuralPde');
    const first = page.locator('#tsd-search-results li').first();
    await first.waitFor({ timeout: 10_000 });
    const results = await page.locator('#tsd-search-results li').allTextContents();
    expect(results.some((r) => /NeuralPde/.test(r))).toBe(true);
    await page.close();
  });

  it('has no link to a missing page or anchor', async () => {
    const broken: string[] = [];
    const files = await htmlFiles(site);
    const ids = new Map<string, Set<string>>();
    const idsOf = async (file: string) => {
      let set = ids.get(file);
      if (!set) {
        const html = await readFile(file, 'utf8');
        set = new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]!));
        ids.set(file, set);
      }
      return set;
    };
    for (const file of files) {
      const html = await readFile(file, 'utf8');
      for (const m of html.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
        const link = m[1]!.replace(/&amp;/g, '&');
        if (/^(?:[a-z]+:|\/\/)/i.test(link)) continue; // outside links (typedoc.org) are not ours to check
        const [target, anchor] = link.split('#') as [string, string | undefined];
        const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target.split('?')[0]!));
        if (!existsSync(resolved)) {
          broken.push(`${path.relative(site, file)} → ${link}`);
          continue;
        }
        if (anchor && resolved.endsWith('.html') && !(await idsOf(resolved)).has(decodeURIComponent(anchor))) {
          broken.push(`${path.relative(site, file)} → ${link} (no such anchor)`);
        }
      }
    }
    expect(files.length).toBeGreaterThan(50);
    expect(broken).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('the playground trains in the browser until the learned profiles are within 5 % of the true ones', async () => {
    const page = await open('documents/Playground.html?autorun');
    const state = () => page.evaluate(() => (globalThis as unknown as { npdePlayground?: PlaygroundState }).npdePlayground);
    await page.waitForFunction(
      () => {
        const s = (globalThis as unknown as { npdePlayground?: { status: string } }).npdePlayground;
        return s !== undefined && (s.status === 'done' || s.status === 'error');
      },
      undefined,
      { timeout: 150_000, polling: 500 },
    );
    const s = (await state())!;
    console.log(`playground: ${JSON.stringify({ status: s.status, backend: s.backend, epoch: s.epoch, relErr: s.relErr, finalLoss: s.losses.at(-1) })}`);
    expect(s.error).toBeUndefined();
    expect(s.status).toBe('done');
    expect(s.backend).toBe('wasm');
    expect(s.losses.at(-1)!).toBeLessThan(s.losses[0]! / 100);
    expect(s.relErr.U).toBeLessThan(0.05);
    expect(s.relErr.D).toBeLessThan(0.05);
    expect(s.relErr.R).toBeLessThan(0.05);
    // the four plots are drawn, the learned curves included
    expect(await page.locator('#npde-playground svg').count()).toBe(4);
    expect(await page.locator('#npde-playground svg path title', { hasText: 'learned' }).count()).toBe(3);
    await page.screenshot({ path: path.join(screenshots, 'playground.png'), fullPage: true });
    console.log(`screenshot: ${path.relative(root, path.join(screenshots, 'playground.png'))}`);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 180_000);
});
