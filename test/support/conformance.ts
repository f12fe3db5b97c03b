/**
 * Conformance: validates synthesized objects the way a strict API server would.
 *
 * - Custom resources against the upstream CRD schemas in the CRD folder (option
 *   GRAY_RELEASE_CRDS, default ../shared/crds): the served version named by the object's
 *   apiVersion, with `additionalProperties: false` injected on every object schema that lists
 *   properties and does not preserve unknown fields (what `kubectl --validate=strict` rejects).
 * - Kubernetes kinds against `kubernetes-models` (ajv over the Kubernetes OpenAPI schema).
 * - Names and labels as the API server checks them, which no OpenAPI schema says (see
 *   {@link nameErrors}): written here with their own regexes, not taken from src/model/names.ts.
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
  return [...nameErrors(obj).map((e) => `${id}: ${e}`), ...schemaErrors(obj, id, flavour)];
}

function schemaErrors(obj: any, id: string, flavour: MeshFlavour): string[] {
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

// ---- names and labels, as the API server checks them -------------------------------------------
// kubernetes/apimachinery pkg/util/validation/validation.go (IsDNS1123Label, IsDNS1035Label,
// IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue) and pkg/api/validation/objectmeta.go.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

type NameRule = { readonly what: string; readonly test: (s: string) => boolean };
const RULES = {
  dns1123Label: { what: 'a DNS-1123 label (lowercase letters, digits and "-", at most 63, starting and ending alphanumeric)', test: (s: string) => s.length <= 63 && DNS1123_LABEL.test(s) },
  dns1035Label: { what: 'a DNS-1035 label (lowercase letters, digits and "-", at most 63, starting with a letter)', test: (s: string) => s.length <= 63 && DNS1035_LABEL.test(s) },
  dns1123Subdomain: { what: 'a DNS-1123 subdomain (dot-separated DNS-1123 labels, at most 253)', test: (s: string) => s.length <= 253 && DNS1123_SUBDOMAIN.test(s) },
} satisfies Record<string, NameRule>;

/**
 * The rule for `metadata.name` per kind: Service names are DNS-1035 labels (ValidateServiceName),
 * Namespace names DNS-1123 labels (ValidateNamespaceName); Deployments, ConfigMaps,
 * ServiceAccounts and custom resources (the apiextensions default) DNS-1123 subdomains.
 */
const NAME_RULE_BY_KIND: Readonly<Record<string, NameRule>> = {
  Service: RULES.dns1035Label,
  Namespace: RULES.dns1123Label,
};

function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && !(prefix.length > 0 && RULES.dns1123Subdomain.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

function labelErrors(where: string, labels: unknown): string[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object') return [`${where}: not a map`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    if (!isQualifiedName(k)) out.push(`${where}: key ${JSON.stringify(k)} is not a qualified name`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where}: value ${JSON.stringify(v)} of ${k} is not a label value`);
  }
  return out;
}

/**
 * What the API server refuses in names and labels: `metadata.name` per kind, `metadata.namespace`
 * (a DNS-1123 label), label keys and values in `metadata.labels`, a workload's pod template and
 * selector, a Service's selector, annotation keys (qualified names); and DestinationRule subset
 * labels, which Istio's validating webhook checks with the same rules.
 */
export function nameErrors(obj: any): string[] {
  const out: string[] = [];
  const name = obj.metadata?.name;
  const rule = NAME_RULE_BY_KIND[obj.kind] ?? RULES.dns1123Subdomain;
  if (typeof name !== 'string' || !rule.test(name)) out.push(`metadata.name ${JSON.stringify(name)} is not ${rule.what}`);
  const ns = obj.metadata?.namespace;
  if (ns !== undefined && (typeof ns !== 'string' || !RULES.dns1123Label.test(ns))) out.push(`metadata.namespace ${JSON.stringify(ns)} is not ${RULES.dns1123Label.what}`);
  out.push(...labelErrors('metadata.labels', obj.metadata?.labels));
  for (const key of Object.keys(obj.metadata?.annotations ?? {})) {
    if (!isQualifiedName(key.toLowerCase())) out.push(`metadata.annotations: key ${JSON.stringify(key)} is not a qualified name`);
  }
  if (obj.spec?.template !== undefined) out.push(...labelErrors('spec.template.metadata.labels', obj.spec.template?.metadata?.labels));
  if (obj.kind === 'Service') out.push(...labelErrors('spec.selector', obj.spec?.selector));
  else if (obj.spec?.selector !== undefined) out.push(...labelErrors('spec.selector.matchLabels', obj.spec.selector?.matchLabels));
  if (obj.kind === 'DestinationRule') {
    for (const [i, s] of (obj.spec?.subsets ?? []).entries()) out.push(...labelErrors(`spec.subsets[${i}].labels`, s?.labels));
  }
  return out;
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
