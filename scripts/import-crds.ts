/**
 * Regenerates the typed spec shapes under imports/ from the upstream CRDs.
 *
 *   npm run import                     # CRDs from ../shared/crds
 *   npm run import -- --crds DIR       # CRDs from DIR (same layout)
 *
 * Each CRD is trimmed to the versions the library emits before `cdk8s import` runs, which
 * gives the bare class names we want (`VirtualService`, not `VirtualServiceV1Beta1`) and files
 * about three times smaller. All CRDs of one module are imported in one run, because a later
 * import of the same module would overwrite the file. The CRD YAML itself is never committed.
 *
 * The library writes objects through its own `ApiObject`s (so that users choose the apiVersion),
 * and uses only the generated spec interfaces, enums, unions and `toJson_*` functions. The
 * generated `ApiObject` subclasses and their `...Props` are dropped, so imports/ depends on
 * neither cdk8s nor constructs and the model layer (src/model) may use it at run time.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

interface ImportModule {
  /** Module name: imports/<name>.ts */
  readonly name: string;
  /**
   * CRD files relative to the CRD folder, with the versions to keep (in order: first = bare name)
   * and, optionally, schema properties to leave out of the typed import (dotted paths below
   * `openAPIV3Schema.properties`, `[]` for array items). The library never writes them; the
   * conformance tests still validate against the whole CRD.
   */
  readonly crds: ReadonlyArray<{ readonly file: string; readonly versions: readonly string[]; readonly prune?: readonly string[] }>;
}

const MODULES: readonly ImportModule[] = [
  {
    name: 'istio-networking',
    crds: [
      // v1beta1 and v1 have identical schemas in Istio 1.23; the library picks the apiVersion.
      { file: 'istio/gateways.networking.istio.io.yaml', versions: ['v1beta1'] },
      { file: 'istio/virtualservices.networking.istio.io.yaml', versions: ['v1beta1'] },
      { file: 'istio/destinationrules.networking.istio.io.yaml', versions: ['v1beta1'] },
      { file: 'istio/envoyfilters.networking.istio.io.yaml', versions: ['v1alpha3'] },
      { file: 'istio/sidecars.networking.istio.io.yaml', versions: ['v1beta1'] },
    ],
  },
  {
    name: 'istio-security',
    crds: [
      { file: 'istio-security/authorizationpolicies.security.istio.io.yaml', versions: ['v1beta1'] },
      { file: 'istio-security/peerauthentications.security.istio.io.yaml', versions: ['v1beta1'] },
      { file: 'istio-security/requestauthentications.security.istio.io.yaml', versions: ['v1beta1'] },
    ],
  },
  {
    name: 'asm-networking',
    crds: [
      { file: 'asm/virtualservices.networking.istio.io.yaml', versions: ['v1beta1'] },
      { file: 'asm/destinationrules.networking.istio.io.yaml', versions: ['v1beta1'] },
    ],
  },
  {
    name: 'kruise-rollouts',
    crds: [
      { file: 'kruise-rollouts/rollouts.kruise.io_rollouts.yaml', versions: ['v1alpha1', 'v1beta1'] },
      { file: 'kruise-rollouts/rollouts.kruise.io_trafficroutings.yaml', versions: ['v1alpha1'] },
    ],
  },
  {
    name: 'argocd',
    crds: [
      { file: 'argocd/application-crd.yaml', versions: ['v1alpha1'] },
      {
        file: 'argocd/applicationset-crd.yaml',
        versions: ['v1alpha1'],
        // The nested generators (matrix, merge) repeat the whole generator schema: 82k lines of
        // types for generators the library does not write. It writes list and clusters only.
        prune: ['clusterDecisionResource', 'git', 'matrix', 'merge', 'plugin', 'pullRequest', 'scmProvider'].map((g) => `spec.generators[].${g}`),
      },
    ],
  },
];

function parseArgs(argv: readonly string[]): { crds: string; out: string } {
  let crds = path.resolve(__dirname, '..', '..', 'shared', 'crds');
  let out = path.resolve(__dirname, '..', 'imports');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--crds') crds = path.resolve(argv[++i]);
    else if (argv[i] === '--out') out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --crds DIR, --out DIR)`);
  }
  return { crds, out };
}

function trim(crdText: string, versions: readonly string[], file: string, prune: readonly string[] = []): string {
  const crd = YAML.parse(crdText);
  const byName = new Map<string, any>((crd.spec.versions as Array<{ name: string }>).map((v) => [v.name, v]));
  const kept = versions.map((v) => {
    const found = byName.get(v);
    if (!found) throw new Error(`${file}: version ${v} not found (has ${[...byName.keys()].join(', ')})`);
    for (const p of prune) pruneProperty(found.schema.openAPIV3Schema, p, file);
    return found;
  });
  crd.spec.versions = kept;
  return YAML.stringify(crd);
}

/** Deletes the property at a dotted path (`a.b[].c`) of an OpenAPI schema. */
function pruneProperty(schema: any, dotted: string, file: string): void {
  const steps = dotted.split('.');
  let node = schema;
  for (const step of steps.slice(0, -1)) {
    const [name, items] = step.endsWith('[]') ? [step.slice(0, -2), true] : [step, false];
    node = node?.properties?.[name];
    if (items) node = node?.items;
  }
  const last = steps[steps.length - 1];
  if (!node?.properties?.[last]) throw new Error(`${file}: no property ${dotted} to prune`);
  delete node.properties[last];
}

/**
 * The generated module without its `ApiObject` subclasses, their `...Props` interfaces and
 * `toJson_...Props` functions, and the cdk8s and constructs imports they need. Top-level
 * declarations in cdk8s's output each start with a JSDoc block at column 0.
 */
function withoutApiObjects(text: string, module: string): string {
  const lines = text.split('\n');
  const chunks: string[][] = [[]];
  for (const line of lines) {
    if (line === '/**') chunks.push([]);
    chunks[chunks.length - 1].push(line);
  }
  const kept = chunks.filter((chunk) => {
    const body = chunk.join('\n');
    return !/^export class \w+ extends ApiObject /m.test(body)
      && !/^export interface \w+Props \{[^]*ApiObjectMetadata/m.test(body)
      && !/^export function toJson_\w+Props\(/m.test(body);
  });
  const out = kept.map((c) => c.join('\n')).join('\n')
    .replace(/^import \{ ApiObject, ApiObjectMetadata, GroupVersionKind \} from 'cdk8s';\n/m, '')
    .replace(/^import \{ Construct \} from 'constructs';\n/m, '');
  if (/\b(ApiObject|ApiObjectMetadata|GroupVersionKind|Construct)\b/.test(out.replace(/^\s*\*.*$/gm, ''))) {
    throw new Error(`imports/${module}.ts still refers to cdk8s or constructs after stripping the ApiObject classes`);
  }
  return out;
}

function main(): void {
  const { crds, out } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(crds)) {
    throw new Error(`CRD folder ${crds} not found; pass --crds DIR`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-import-'));
  fs.mkdirSync(out, { recursive: true });
  try {
    for (const mod of MODULES) {
      const docs = mod.crds.map((c) => trim(fs.readFileSync(path.join(crds, c.file), 'utf8'), c.versions, c.file, c.prune));
      const combined = path.join(tmp, `${mod.name}.yaml`);
      fs.writeFileSync(combined, docs.join('---\n'));
      execFileSync(path.resolve(__dirname, '..', 'node_modules', '.bin', 'cdk8s'), ['import', `${mod.name}:=${combined}`, '--language', 'typescript', '--output', out, '--no-save', '--no-check-upgrade'], {
        cwd: tmp,
        stdio: 'inherit',
        env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      });
      // cdk8s names the file <module>-<group>.ts; keep one stable name per module.
      const produced = fs.readdirSync(out).filter((f) => f.startsWith(`${mod.name}-`) && f.endsWith('.ts'));
      if (produced.length !== 1) throw new Error(`expected one file for ${mod.name}, got ${produced.join(', ')}`);
      const generated = path.join(out, `${mod.name}.ts`);
      fs.renameSync(path.join(out, produced[0]), generated);
      const text = withoutApiObjects(fs.readFileSync(generated, 'utf8'), mod.name);
      fs.writeFileSync(generated, `// Generated by \`npm run import\` from ${mod.crds.map((c) => c.file).join(', ')}. Do not edit.\n${text}`);
      console.log(`imports/${mod.name}.ts: ${text.split('\n').length} lines`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
