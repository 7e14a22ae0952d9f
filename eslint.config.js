// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Browser-safe code: every package but the Node-only backends and the umbrella's Node entry
    // (so a package the generator adds is covered too), and backend-cuda's browser path. Node-only
    // code lives in Node adapters (src/node/), which package.json conditions keep out of bundles.
    files: [
      'packages/!(backend-cpu|backend-cuda|npde)/src/**/*.ts',
      'packages/backend-cuda/src/browser.ts',
    ],
    ignores: ['**/src/node/**', '**/*.spec.ts', '**/*.test-util.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:|(fs|path|os|url|module|child_process|worker_threads|crypto|util|stream|events)(/.*)?$)',
              message: 'This code must run in browsers: put Node-only code in a Node adapter (src/node/, e.g. @npde/core/node).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'setImmediate', 'clearImmediate', '__dirname', '__filename', 'require', 'global'].map((name) => ({
          name,
          message: `'${name}' is Node-only; this code must run in browsers (use globalThis.${name}?.… guarded, or a Node adapter in src/node/).`,
        })),
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
