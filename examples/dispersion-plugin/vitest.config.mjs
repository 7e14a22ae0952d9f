import { defineConfig } from 'vitest/config';

// The plugin tests against npde as a user installs it (its built `dist/`): no source conditions.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.js', '*.spec.mjs'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
