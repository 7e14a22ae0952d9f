// @ts-check
/**
 * The typedoc options of npde's documentation site (the root typedoc.config.mjs uses them).
 *
 * - API: every package under packages/ and apps/cli, each through its own tsconfig and public
 *   entries; an export without TSDoc, a broken link or a rewritten link fails the build.
 * - Guides: docs/*.md and docs/<topic>/*.md as typedoc project documents (navigation, search,
 *   link validation), with `$…$` / `$$…$$` rendered by KaTeX at build time.
 * - Playground: docs/playground.md holds the mount point; ./plugin-site-assets.mjs bundles the
 *   page script and copies the .wasm files next to it.
 */
import katex from '@vscode/markdown-it-katex';

/**
 * @param {{ out: string }} o
 * @returns {Partial<import('typedoc').TypeDocOptions>}
 */
export function docsSite(o) {
  return {
    name: 'npde',
    entryPointStrategy: 'packages',
    entryPoints: ['packages/*', 'apps/cli'],
    out: o.out,
    readme: 'apps/docs/index.md',
    projectDocuments: ['docs/*.md', 'docs/*/*.md', 'bench/README.md'],
    searchInDocuments: true,
    // The navigation groups the guides and results by their front matter's `group`
    // (Guides, Kernel families, Results, Design, Project) next to the packages (Modules).
    navigation: { includeGroups: true, includeCategories: false, includeFolders: true },
    groupOrder: ['Guides', 'Kernel families', 'Results', 'Modules', 'Design', 'Project', '*'],
    plugin: ['./apps/docs/typedoc-plugin-same-declaration.mjs', './apps/docs/plugin-site-assets.mjs'],
    customCss: './apps/docs/site.css',
    customJs: './apps/docs/playground-loader.js',
    markdownItLoader(parser) {
      // KaTeX at build time (HTML for the eye, MathML for assistive tech); a TeX error fails the build.
      parser.use(katex.default ?? katex, { throwOnError: true, output: 'htmlAndMathml' });
    },
    favicon: './apps/docs/favicon.svg',
    treatWarningsAsErrors: true,
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
    packageOptions: {
      // Each package's public entries: src/index.ts and, where it exists, src/register.ts
      // (packages/core/typedoc.json lists core's own).
      entryPoints: ['src/@(index|register).ts'],
      excludeExternals: true,
      validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
      // The site is served on its own, without the sources: no "Defined in" links to break.
      disableSources: true,
    },
  };
}
