/**
 * Conformance: validates synthesized objects the way a strict API server would.
 *
 * - Custom resources against the upstream CRD schemas in the CRD folder (option
 *   GRAY_RELEASE_CRDS, default ../shared/crds): the served version named by the object's
 *   apiVersion, with `additionalProperties: false` injected on every object schema that lists
 *   properties and does not preserve unknown fields (what `kubectl --validate=strict` rejects).
 * - Kubernetes kinds against `kubernetes-models` (ajv over the Kubernetes OpenAPI schema).
 *
 * Where the folder is absent, `crdsAvailable()` is false and the tests say so and skip; CI sets
 * GRAY_RELEASE_REQUIRE_CRDS=1, which turns a missing folder into a failure.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';

/** Which flavour of the networking.istio.io CRDs to validate against. */
export type MeshFlavour = 'istio' | 'asm';

export const CRD_DIR = process.env.GRAY_RELEASE_CRDS ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');

export function crdsAvailable(): boolean {
  const ok = ['istio', 'istio-security'].every((dir) => fs.existsSync(path.join(CRD_DIR, dir)));
  if (!ok && process.env.GRAY_RELEASE_REQUIRE_CRDS) {
    throw new Error(`CRD folder ${CRD_DIR} is missing but GRAY_RELEASE_REQUIRE_CRDS is set`);
  }
  return ok;
}

interface CrdVersion { readonly name: string; readonly served: boolean; readonly schema?: { openAPIV3Schema: any } }
interface Crd { readonly spec: { readonly group: string; readonly names: { kind: string }; readonly versions: CrdVersion[] } }

const FOLDERS: Record<string, string[]> = {
  istio: ['istio', 'istio-security', 'kruise-rollouts', 'argocd'],
  asm: ['asm', 'istio', 'istio-security', 'kruise-rollouts', 'argocd'],
};

let crdCache: Map<string, Crd[]> | undefined;
function loadCrds(): Map<string, Crd[]> {
  if (crdCache) return crdCache;
  crdCache = new Map();
  for (const dir of ['istio', 'istio-security', 'asm', 'kruise-rollouts', 'argocd']) {
    const full = path.join(CRD_DIR, dir);
    if (!fs.existsSync(full)) continue;
    const crds: Crd[] = [];
    for (const f of fs.readdirSync(full).filter((n) => n.endsWith('.yaml')).sort()) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(full, f), 'utf8'))) {
        const crd = doc.toJS();
        if (crd?.kind === 'CustomResourceDefinition') crds.push(crd);
      }
    }
    crdCache.set(dir, crds);
  }
  return crdCache;
}

/** Deep-copies a schema, closing every object that lists properties (strict field validation). */
export function strictSchema(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'properties'
      ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictSchema(s)]))
      : strictSchema(v);
  }
  if (out.properties && !out['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
for (const f of ['int32', 'int64', 'uint32', 'double', 'float', 'byte', 'binary', 'date-time', 'int-or-string', 'duration']) {
  ajv.addFormat(f, true);
}
const validators = new Map<string, ValidateFunction>();

function crdValidator(flavour: MeshFlavour, apiVersion: string, kind: string): ValidateFunction | undefined {
  const [group, version] = apiVersion.split('/');
  const key = `${flavour}|${apiVersion}|${kind}`;
  if (validators.has(key)) return validators.get(key);
  const crds = loadCrds();
  for (const dir of FOLDERS[flavour]) {
    const crd = (crds.get(dir) ?? []).find((c) => c.spec.group === group && c.spec.names.kind === kind);
    if (!crd) continue;
    const v = crd.spec.versions.find((x) => x.name === version);
    if (!v || !v.served || !v.schema) return undefined;
    const schema = strictSchema(v.schema.openAPIV3Schema);
    // apiVersion/kind/metadata are checked by the API server itself, not by the CRD schema.
    schema.properties = { ...schema.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
    const fn = ajv.compile(schema);
    validators.set(key, fn);
    return fn;
  }
  return undefined;
}

// Kubernetes core kinds: kubernetes-models classes validate against the OpenAPI schema.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const K8S: Record<string, () => any> = {
  'apps/v1|Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'v1|Service': () => require('kubernetes-models/v1/Service').Service,
  'v1|ServiceAccount': () => require('kubernetes-models/v1/ServiceAccount').ServiceAccount,
  'v1|ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1|Namespace': () => require('kubernetes-models/v1/Namespace').Namespace,
  'autoscaling/v2|HorizontalPodAutoscaler': () => require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler,
  'policy/v1|PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget,
};

/** Returns the problems of one object (empty when it conforms). */
export function conformanceErrors(obj: any, flavour: MeshFlavour = 'istio'): string[] {
  const id = `${obj?.kind}/${obj?.metadata?.name}`;
  if (!obj?.apiVersion || !obj?.kind) return [`${id}: apiVersion and kind are required`];
  if (!obj.metadata?.name) return [`${id}: metadata.name is required`];
  const k8s = K8S[`${obj.apiVersion}|${obj.kind}`];
  if (k8s) {
    try {
      new (k8s())(obj).validate();
      return [];
    } catch (e) {
      return [`${id}: ${(e as Error).message}`];
    }
  }
  const validate = crdValidator(flavour, obj.apiVersion, obj.kind);
  if (!validate) return [`${id}: no served schema for ${obj.apiVersion} ${obj.kind} in ${CRD_DIR} (${flavour})`];
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${id}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : ''}`);
}

/** Reads every object of every `*.yaml` file under `dir` (recursively). */
export function readManifests(dir: string): any[] {
  const out: any[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {out.push(...readManifests(full));} else if (entry.name.endsWith('.yaml')) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(full, 'utf8'))) {
        const o = doc.toJS();
        if (o) out.push(o);
      }
    }
  }
  return out;
}
