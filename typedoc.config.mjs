// @ts-check
// The documentation site: `npm run docs` writes it to apps/docs/site/.
// One typedoc build holds the API reference of every package (each package's public entries)
// and the guides of docs/ (as typedoc "project documents", searchable, links checked), with the
// equations rendered to HTML + MathML by KaTeX at build time and the live playground bundled in.
import { docsSite } from './apps/docs/site-options.mjs';

export default docsSite({ out: 'apps/docs/site' });
