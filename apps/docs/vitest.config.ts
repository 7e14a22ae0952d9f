import { npdeVitestConfig } from '../../vitest.shared.js';

export default npdeVitestConfig();
