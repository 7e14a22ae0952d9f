#!/usr/bin/env node
// Thin launcher: the CLI is compiled to ../dist by the workspace's `prepare` step (npm install).
import('../dist/main.js').then(
  async ({ main }) => {
    process.exitCode = await main(process.argv);
  },
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('main.js')) {
      console.error('npde: the CLI is not built yet. Run `npm install` (or `npm run build`) at the workspace root first.');
      process.exitCode = 1;
      return;
    }
    throw err;
  },
);
