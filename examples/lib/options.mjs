// Command-line options of the examples, parsed strictly (node:util parseArgs) with a --help:
// --help prints the usage and exits 0; an unknown or malformed option prints the error and the
// usage to stderr and exits 2, rather than being ignored or ending in a stack trace.
import { parseArgs } from 'node:util';

/**
 * @param name    the example's name, prefixed to error messages
 * @param options parseArgs option definitions (`help` is added)
 * @param usage   the text --help prints
 * @returns the parsed values
 */
export function exampleOptions(name, options, usage) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } } }));
  } catch (err) {
    console.error(`${name}: ${err.message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}
