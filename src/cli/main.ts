/**
 * The `gray-release` command: explain routes, report lanes, lint manifests, diff two versions,
 * render ROUTES.md. Returns the exit code: 0 success, 1 lint errors or routing changed (diff),
 * 2 bad usage or input.
 */
import { commandHelp, help, parseArgs } from './args';
import { COMMANDS } from './commands';

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The full help text (every command and flag). */
export const HELP = help(COMMANDS);

/** Runs the command line; prints to stdout (and errors to stderr) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`gray-release: unknown command ${JSON.stringify(name)}; see gray-release --help\n`);
    return 2;
  }
  try {
    const args = parseArgs(command, rest);
    if (args.flags.has('--help')) {
      out(commandHelp(command));
      return 0;
    }
    return command.run({ args, out });
  } catch (e) {
    process.stderr.write(`gray-release: ${errorMessage(e)}\n`);
    return 2;
  }
}
