import { defineConfig } from 'vitest/config';

/**
 * Shared Vitest settings for every package: resolve workspace packages to their
 * TypeScript sources (the `@npde/source` export condition) so tests never need
 * a prior build.
 */
export function npdeVitestConfig(): ReturnType<typeof defineConfig> {
  return defineConfig({
    resolve: { conditions: ['@npde/source', 'node', 'import', 'module', 'default'] },
    ssr: { resolve: { conditions: ['@npde/source', 'node', 'import', 'module', 'default'], externalConditions: ['@npde/source'] } },
    test: {
      include: ['src/**/*.spec.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      server: { deps: { inline: [/@npde\//] } },
    },
  });
}
