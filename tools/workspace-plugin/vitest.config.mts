import { defineConfig } from 'vitest/config';

// No 'import' condition: vitest hands these to Node, and @nx/devkit's require('ejs') must get ejs's CommonJS build.
const conditions = ['@npde/source', 'node', 'module', 'default'];

export default defineConfig({
  // Resolve npde's packages to their TypeScript sources, as every package's tests do.
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@npde/source'] } },
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    env: { NX_SKIP_FORMAT: 'true', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    server: { deps: { inline: [/@npde\//] } },
  },
});
