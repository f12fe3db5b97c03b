/**
 * The commands of `gray-release`: each one's spec (operands, flags, summary; see ./args) and what
 * it does. Every command returns its exit code.
 */
import { Args, CommandSpec, UsageError } from './args';
import { releaseStep } from './release-step';
import {
  EntryPoint, LINT_RULES, Manifest, diffRouting, explain, formatDiff, formatDiffMarkdown, formatExplain, formatLaneReport, formatRef,
  hasErrors, laneReport, lintReport, loadManifests, renderRoutesMarkdown, renderTable,
} from '../analysis';

/** What a command gets: its arguments and where to print. */
export interface CommandContext {
  readonly args: Args;
  readonly out: (s: string) => void;
}

/** A command: its spec and its action. */
export interface Command extends CommandSpec {
  readonly run: (c: CommandContext) => number;
}

const flag = (a: Args, name: string): string | undefined => a.flags.get(name)?.[0];
const has = (a: Args, name: string): boolean => a.flags.has(name);
const list = (a: Args, name: string): string[] => (a.flags.get(name) ?? []).flatMap((x) => x.split(',')).map((s) => s.trim()).filter(Boolean);

function load(a: Args): Manifest[] {
  if (a.operands.length === 0) throw new UsageError(`${a.command}: give at least one YAML file or folder`);
  return loadManifests(a.operands);
}

function headersOf(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(':');
    if (i <= 0) throw new UsageError(`header ${JSON.stringify(v)} is not "name: value"`);
    out[v.slice(0, i).trim().toLowerCase()] = v.slice(i + 1).trim();
  }
  return out;
}

function releaseOf(a: Args): string[] | 'all' | undefined {
  if (has(a, '--release-all')) return 'all';
  return has(a, '--release') ? list(a, '--release') : undefined;
}

function podIpsOf(values: readonly string[]): Record<string, string[]> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const [d, ip] = v.split('=');
    if (!d || !ip) throw new UsageError(`--pod-ip ${JSON.stringify(v)} is not DEPLOYMENT=IP`);
    out[d] = [...(out[d] ?? []), ip];
  }
  return out;
}

function numberOf(a: Args, name: string): number | undefined {
  const v = flag(a, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v)) throw new UsageError(`${name} ${JSON.stringify(v)} is not a whole number`);
  return Number(v);
}

function entryOf(a: Args): EntryPoint {
  const service = flag(a, '--service');
  const path = flag(a, '--path');
  if (has(a, '--gateway') && service) throw new UsageError('--gateway and --service are exclusive: enter at the gateway or at a service');
  const gw = flag(a, '--gateway');
  return service ? { service, namespace: flag(a, '--namespace'), path } : { gateway: gw ? gw : true, host: flag(a, '--host'), path };
}

function explainCommand({ args, out }: CommandContext): number {
  let manifests = load(args);
  let release = releaseOf(args);
  const step = numberOf(args, '--step');
  const notes: string[] = [];
  if (step !== undefined) {
    if (!Array.isArray(release) || release.length !== 1) throw new UsageError('--step N needs --release SERVICE (one service)');
    const view = releaseStep(manifests, release[0], step);
    manifests = view.manifests;
    notes.push(view.title, ...view.notes);
    release = undefined;
  }
  const result = explain(manifests, entryOf(args), {
    headers: headersOf(args.flags.get('--header') ?? []),
    method: flag(args, '--method'),
    port: numberOf(args, '--port'),
    release,
    podIps: podIpsOf(args.flags.get('--pod-ip') ?? []),
    clientAddress: flag(args, '--client-ip'),
    skipColoring: has(args, '--no-coloring'),
    tcp: has(args, '--tcp'),
  });
  const shown = notes.length > 0 ? { ...result, notes } : result;
  out(has(args, '--json') ? JSON.stringify(shown, null, 2) : formatExplain(shown));
  return 0;
}

function lintCommand({ args, out }: CommandContext): number {
  const ignore = list(args, '--ignore');
  for (const code of ignore) if (!Object.prototype.hasOwnProperty.call(LINT_RULES, code)) throw new UsageError(`--ignore ${code}: not a lint code (see gray-release rules)`);
  const report = lintReport(load(args), { ignore });
  if (has(args, '--json')) {
    out(JSON.stringify(report, null, 2));
  } else {
    const rows = [...report.findings, ...(has(args, '--show-suppressed') ? report.suppressed : [])];
    const table = rows.map((f) => [f.code, f.suppressed ? `${f.severity} (suppressed: ${f.suppressed.reason})` : f.severity, formatRef(f.object), f.message]);
    out(rows.length === 0 ? 'no findings' : renderTable(['CODE', 'SEVERITY', 'OBJECT', 'MESSAGE'], table));
    if (report.suppressed.length > 0 && !has(args, '--show-suppressed')) out(`${report.suppressed.length} suppressed finding(s) not shown (--show-suppressed)`);
  }
  return hasErrors(report.findings) ? 1 : 0;
}

function diffCommand({ args, out }: CommandContext): number {
  if (args.operands.length !== 2) throw new UsageError('diff: give BEFORE and AFTER (each a YAML file or folder)');
  const d = diffRouting(loadManifests([args.operands[0]]), loadManifests([args.operands[1]]));
  out(has(args, '--json') ? JSON.stringify(d, null, 2) : has(args, '--markdown') ? formatDiffMarkdown(d) : formatDiff(d));
  return d.changed.length === 0 ? 0 : 1;
}

const JSON_FLAG = { name: '--json', help: 'machine-readable output (shape in docs/cli.md)' } as const;
const RELEASE_FLAGS = [
  { name: '--release', value: 'SERVICES', repeatable: true, help: 'as Kruise rewrites the mesh while these services (comma-separated) are released' },
  { name: '--release-all', help: 'as Kruise rewrites the mesh while every service with a Rollout or TrafficRouting is released' },
] as const;

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'explain',
    operands: 'paths',
    summary: 'the path of one request, hop by hop: coloring, rule, every branch of a split, the calls under it',
    flags: [
      { name: '--gateway', value: 'NAME', optionalValue: true, help: 'enter at the ingress gateway (the only one, or NAME / NAMESPACE/NAME); the default' },
      { name: '--host', value: 'HOST', help: 'requested host at the gateway (default: any)' },
      { name: '--path', value: 'PATH', help: 'request path, with an optional ?query (default: /)' },
      { name: '--method', value: 'METHOD', help: 'request method (default: GET)' },
      { name: '--port', value: 'PORT', help: 'port the request is sent to (default: the gateway server\'s, or the Service\'s first)' },
      { name: '--service', value: 'NAME', help: 'enter at a Service instead of the gateway' },
      { name: '--namespace', value: 'NS', help: 'namespace of --service' },
      { name: '--header', alias: '-H', value: '\'NAME: VALUE\'', repeatable: true, help: 'a request header' },
      { name: '--pod-ip', value: 'DEPLOYMENT=IP', repeatable: true, help: 'a pod IP of a Deployment, for ASM %ip% subsets' },
      ...RELEASE_FLAGS,
      { name: '--step', value: 'N', help: 'with --release SERVICE: the mesh at step N of that release' },
      { name: '--client-ip', value: 'IP', help: 'the client address the gateway sees, for colorings that read it (default 192.0.2.10)' },
      { name: '--no-coloring', help: 'do not run the gateway\'s EnvoyFilters (the request is already colored)' },
      { name: '--tcp', help: 'a TCP connection (routed by the tcp rules, by port), not an HTTP request' },
      JSON_FLAG,
    ],
    run: explainCommand,
  },
  {
    name: 'lanes',
    operands: 'paths',
    summary: 'per lane, what each service\'s hop reaches (counts at scale; --verbose for every service)',
    flags: [...RELEASE_FLAGS, { name: '--verbose', help: 'every service and every declaring object, however many' }, JSON_FLAG],
    run: ({ args, out }) => {
      const report = laneReport(load(args), { release: releaseOf(args) });
      out(has(args, '--json') ? JSON.stringify(report, null, 2) : formatLaneReport(report, { verbose: has(args, '--verbose') }));
      return 0;
    },
  },
  {
    name: 'lint',
    operands: 'paths',
    summary: 'checks a schema cannot make; exit 1 on errors that are not suppressed',
    flags: [
      { name: '--ignore', value: 'CODES', repeatable: true, help: 'do not count these codes (comma-separated); the annotation gray-release.io/lint-ignore suppresses per object' },
      { name: '--show-suppressed', help: 'list suppressed findings too, with their reason' },
      JSON_FLAG,
    ],
    run: lintCommand,
  },
  {
    name: 'routes',
    operands: 'paths',
    summary: 'Mermaid route diagrams as Markdown (ROUTES.md); rules that never match are listed, not drawn',
    flags: [],
    run: ({ args, out }) => {
      out(renderRoutesMarkdown(load(args)));
      return 0;
    },
  },
  {
    name: 'diff',
    operands: 'before-after',
    summary: 'which request classes change destination between two versions; exit 1 when any does',
    flags: [{ name: '--markdown', help: 'Markdown for a pull-request comment' }, JSON_FLAG],
    run: diffCommand,
  },
  {
    name: 'rules',
    operands: 'none',
    summary: 'the lint codes with their severity',
    flags: [JSON_FLAG],
    run: ({ args, out }) => {
      if (args.operands.length > 0) throw new UsageError('rules takes no files');
      out(has(args, '--json') ? JSON.stringify(LINT_RULES, null, 2) : renderTable(['CODE', 'SEVERITY', 'CHECK'], Object.entries(LINT_RULES).map(([c, r]) => [c, r.severity, r.summary])));
      return 0;
    },
  },
];
