/**
 * `@npde/cli`: the `npde` command. Its pieces are exported for tests and for
 * embedding (e.g. running the demo from a script).
 *
 * @packageDocumentation
 */
export { main, createProgram } from './main.js';
export { runDemo, type DemoOptions, type DemoResult, type HeldOut } from './demo/adr-demo.js';
export { demoJson, demoReport } from './commands/demo.js';
export { trueProfiles, relL2, type AdrProfiles } from './demo/profiles.js';
export { TrainConfigSchema, parseTrainConfig, type TrainConfig } from './config/train-config.js';
export { ExitCode } from './ui/exit.js';
