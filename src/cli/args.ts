/**
 * The command line's grammar: each command declares its operands and flags in one table
 * ({@link CommandSpec}); the parser and `--help` are derived from it, so every flag a command
 * takes is listed in the help, and an unknown flag is an error.
 */

/** A flag of a command. */
export interface FlagSpec {
  /** `--name`. */
  readonly name: string;
  /** A short form, e.g. `-H`. */
  readonly alias?: string;
  /** The value's name in the help (`HOST`); absent for a switch. */
  readonly value?: string;
  /** The value may be left out (`--gateway` or `--gateway=NAME`): only `--flag=value` gives one. */
  readonly optionalValue?: boolean;
  /** The flag may be given more than once (its values accumulate). */
  readonly repeatable?: boolean;
  readonly help: string;
}

/** How many operands (files, folders) a command takes. */
export type Operands = 'none' | 'paths' | 'before-after';

/** A command: its name, operands, flags and summary. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly operands: Operands;
  readonly flags: readonly FlagSpec[];
}

/** The parsed command line. */
export interface Args {
  readonly command: string;
  readonly operands: string[];
  /** Flag values by flag name (`--header`), in order; a switch has one empty string per use. */
  readonly flags: ReadonlyMap<string, string[]>;
}

/** Flags every command takes. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: '--help', alias: '-h', help: 'this help' },
];

/** Thrown for a command line that does not follow the grammar (exit code 2). */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function findFlag(spec: CommandSpec, token: string): FlagSpec | undefined {
  return [...spec.flags, ...COMMON_FLAGS].find((f) => f.name === token || f.alias === token);
}

/** Parses the arguments after the command name against the command's spec. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): Args {
  const flags = new Map<string, string[]>();
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('-') || token === '-') {
      operands.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq > 0 ? token.slice(0, eq) : token;
    const flag = findFlag(spec, name);
    if (!flag) throw new UsageError(`${spec.name}: unknown flag ${name}; see gray-release ${spec.name} --help`);
    let value = '';
    if (eq > 0) {
      if (!flag.value) throw new UsageError(`${flag.name} takes no value`);
      value = token.slice(eq + 1);
    } else if (flag.value && !flag.optionalValue) {
      if (i + 1 >= argv.length) throw new UsageError(`${flag.name} needs a value (${flag.value})`);
      value = argv[++i];
    }
    const seen = flags.get(flag.name);
    if (seen && !flag.repeatable) throw new UsageError(`${flag.name} is given twice`);
    flags.set(flag.name, [...(seen ?? []), value]);
  }
  return { command: spec.name, operands, flags };
}

const OPERANDS: Readonly<Record<Operands, string>> = { 'none': '', 'paths': ' FILE|DIR...', 'before-after': ' BEFORE AFTER' };

function flagUsage(f: FlagSpec): string {
  const names = f.alias ? `${f.alias}, ${f.name}` : f.name;
  if (!f.value) return names;
  return f.optionalValue ? `${names}[=${f.value}]` : `${names} ${f.value}`;
}

/** The help of one command. */
export function commandHelp(spec: CommandSpec): string {
  const rows = [...spec.flags, ...COMMON_FLAGS].map((f) => [flagUsage(f), `${f.help}${f.repeatable ? ' (repeatable)' : ''}`]);
  const width = rows.reduce((w, r) => Math.max(w, r[0].length), 0);
  return [`gray-release ${spec.name}${spec.flags.length ? ' [options]' : ''}${OPERANDS[spec.operands]}`, `  ${spec.summary}`, '',
    ...rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`)].join('\n');
}

/** The help of the whole command line. */
export function help(specs: readonly CommandSpec[]): string {
  const width = specs.reduce((w, s) => Math.max(w, s.name.length), 0);
  return [
    'gray-release <command> [options] <operands>',
    '',
    'Commands:',
    ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    'Exit codes: 0 success (diff: no routing changed), 1 lint errors (diff: routing changed), 2 bad usage or input.',
    'YAML operands are files or folders (every .yaml/.yml file under a folder, sorted).',
    '',
    ...specs.flatMap((s) => [commandHelp(s), '']),
  ].join('\n');
}
