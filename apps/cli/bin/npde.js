#!/usr/bin/env node
// Thin launcher: the CLI is compiled to ../dist by the workspace's `prepare` step.
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    console.error('npde: the CLI is not built yet. Run `npm install` (or `npm run build`) at the workspace root first.');
    process.exit(1);
  }
  throw err;
});
