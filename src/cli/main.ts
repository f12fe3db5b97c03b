/**
 * The `gray-release` command: explain routes, report lanes, lint manifests, render ROUTES.md.
 * Returns the exit code: 0 success, 1 lint errors, 2 bad usage or input.
 */
import {
  EntryPoint, Manifest, formatExplain, formatLaneReport, formatRef, hasErrors, laneReport, lint, loadManifests, explain,
  renderRoutesMarkdown, renderTable, LINT_RULES,
} from '../analysis';

const HELP = `gray-release <command> [options] <files or directories of YAML...>

Commands:
  explain   the path of one request, hop by hop
  lanes     for each lane, the version each service's hop reaches
  lint      checks a schema cannot make (exit 1 on errors)
  routes    Mermaid route diagrams as markdown (ROUTES.md)

explain options:
  --gateway[=NAME]       enter at the ingress gateway (the only one, or NAME / ns/NAME)
  --host H               requested host at the gateway (default: any)
  --path P               request path (default: /)
  --service NAME         enter at a Service instead of the gateway
  --namespace NS         namespace of --service
  -H, --header 'k: v'    a request header (repeatable)
  --pod-ip DEPLOY=IP     a pod IP of a Deployment, for ASM %ip% subsets (repeatable)
  --release a,b          explain as Kruise rewrites the mesh while these services are released
  --release-all          ... while every service with a TrafficRouting/Rollout is released
  --json                 machine-readable output
lanes options: --release a,b | --release-all, --json
lint options: --json
`;

interface Args {
  command?: string;
  paths: string[];
  flags: Map<string, string[]>;
}

const VALUED = new Set(['--host', '--path', '--service', '--namespace', '-H', '--header', '--release', '--pod-ip']);

function parse(argv: string[]): Args {
  const args: Args = { paths: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      let value = eq > 0 ? a.slice(eq + 1) : '';
      if (eq < 0 && VALUED.has(name)) {
        if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
        value = argv[++i];
      }
      const key = name === '-H' ? '--header' : name === '-h' ? '--help' : name;
      args.flags.set(key, [...(args.flags.get(key) ?? []), value]);
    } else if (!args.command) {
      args.command = a;
    } else {
      args.paths.push(a);
    }
  }
  return args;
}

function headersOf(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(':');
    if (i <= 0) throw new Error(`header ${JSON.stringify(v)} is not "name: value"`);
    out[v.slice(0, i).trim().toLowerCase()] = v.slice(i + 1).trim();
  }
  return out;
}

function releaseOf(a: Args): string[] | 'all' | undefined {
  if (a.flags.has('--release-all')) return 'all';
  const r = a.flags.get('--release');
  return r ? r.flatMap((x) => x.split(',')).map((s) => s.trim()).filter(Boolean) : undefined;
}

function podIpsOf(values: string[]): Record<string, string[]> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const [d, ip] = v.split('=');
    if (!d || !ip) throw new Error(`--pod-ip ${JSON.stringify(v)} is not DEPLOYMENT=IP`);
    out[d] = [...(out[d] ?? []), ip];
  }
  return out;
}

/** What a command gets: the parsed arguments, the manifests, and where to print. */
interface CommandContext {
  readonly args: Args;
  readonly manifests: Manifest[];
  readonly json: boolean;
  readonly out: (s: string) => void;
}

function explainCommand({ args, manifests, json, out }: CommandContext): number {
  const gw = args.flags.get('--gateway');
  const service = args.flags.get('--service')?.[0];
  const path = args.flags.get('--path')?.[0];
  if (gw && service) throw new Error('--gateway and --service are exclusive: enter at the gateway or at a service');
  const entry: EntryPoint = service
    ? { service, namespace: args.flags.get('--namespace')?.[0], path }
    : { gateway: gw?.[0] ? gw[0] : true, host: args.flags.get('--host')?.[0], path };
  const result = explain(manifests, entry, {
    headers: headersOf(args.flags.get('--header') ?? []),
    release: releaseOf(args),
    podIps: podIpsOf(args.flags.get('--pod-ip') ?? []),
  });
  out(json ? JSON.stringify(result, null, 2) : formatExplain(result));
  return 0;
}

function lintCommand({ manifests, json, out }: CommandContext): number {
  const findings = lint(manifests);
  if (json) {
    out(JSON.stringify(findings, null, 2));
  } else if (findings.length === 0) {
    out('no findings');
  } else {
    out(renderTable(['CODE', 'SEVERITY', 'OBJECT', 'MESSAGE'], findings.map((f) => [f.code, f.severity, formatRef(f.object), f.message])));
  }
  return hasErrors(findings) ? 1 : 0;
}

/** The commands, by name; each returns its exit code. */
const COMMANDS: Readonly<Record<string, (c: CommandContext) => number>> = {
  explain: explainCommand,
  lanes: ({ args, manifests, json, out }) => {
    const report = laneReport(manifests, { release: releaseOf(args) });
    out(json ? JSON.stringify(report, null, 2) : formatLaneReport(report));
    return 0;
  },
  lint: lintCommand,
  routes: ({ manifests, out }) => {
    out(renderRoutesMarkdown(manifests));
    return 0;
  },
  rules: ({ out }) => {
    out(renderTable(['CODE', 'SEVERITY', 'CHECK'], Object.entries(LINT_RULES).map(([c, r]) => [c, r.severity, r.summary])));
    return 0;
  },
};

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs the command line; prints to stdout (and errors to stderr) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`gray-release: ${errorMessage(e)}\n`);
    return 2;
  }
  if (args.flags.has('--help') || !args.command || args.command === 'help') {
    process.stdout.write(HELP);
    return args.command || args.flags.has('--help') ? 0 : 2;
  }
  const json = args.flags.has('--json');
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  try {
    if (args.paths.length === 0) throw new Error('give at least one YAML file or directory');
    const manifests = loadManifests(args.paths);
    const command = Object.prototype.hasOwnProperty.call(COMMANDS, args.command) ? COMMANDS[args.command] : undefined;
    if (!command) throw new Error(`unknown command ${JSON.stringify(args.command)}; see gray-release --help`);
    return command({ args, manifests, json, out });
  } catch (e) {
    process.stderr.write(`gray-release: ${errorMessage(e)}\n`);
    return 2;
  }
}
