/**
 * `@npde/backend-cuda/register` outside Node: registers the browser stub of
 * `cudaBackend` (never available) into `globalRegistry()`, so the entry can be
 * imported from code that also runs in browsers.
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './browser.js';

globalRegistry().register(plugins);
