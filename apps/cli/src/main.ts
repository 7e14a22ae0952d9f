import { Command, CommanderError } from 'commander';
import { backendCpu, tf } from 'npde';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerInspect } from './commands/inspect.js';
import { registerPlugins } from './commands/plugins.js';
import { registerStudy } from './commands/study.js';
import { registerTrain } from './commands/train.js';
import { ExitCode } from './ui/exit.js';

/** Build the `npde` command-line program. */
export function createProgram(): Command {
  const program = new Command()
    .name('npde')
    .description('npde: machine learning as discrete dynamical systems (neural PDEs)')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerTrain(program);
  registerInspect(program);
  registerPlugins(program);
  registerDoctor(program);
  registerStudy(program);
  return program;
}

/** Run the CLI with `argv` (as `process.argv`). Resolves with the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  // Tensors made before a backend is chosen (data, configs) land on tfjs's cpu backend: no tfjs-node advice.
  await tf.setBackend('cpu');
  backendCpu.silenceNodeBackendAdvice();
  const program = createProgram();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
      return ExitCode.USAGE;
    }
    throw err;
  }
}
