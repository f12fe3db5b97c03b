/**
 * Chart-wide uniqueness: two objects of one kind with the same name in one namespace would
 * overwrite each other when applied (the last one wins, silently), and two constructs routing
 * the same host would write DestinationRules or VirtualServices Istio merges or picks from
 * unpredictably. cdk8s checks neither, so every construct of the library adds
 * {@link uniquenessProblems} as a synth-time validation. The scope is the construct's chart (one
 * file, applied as a whole); separate charts may hold alternatives meant to be applied one at a
 * time (see examples/dynamic-subset).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { problem } from './validation';

/** One routing a construct owns, e.g. the mesh routing of a service or a host on a gateway. */
export interface RoutingClaim {
  /** What is claimed; two claims with the same key conflict. */
  readonly key: string;
  /** A human description of the claim, used in the message. */
  readonly what: string;
  /** The prop that made the claim. */
  readonly prop: string;
  /** How to resolve the conflict. */
  readonly fix: string;
}

const claims = new WeakMap<IConstruct, RoutingClaim[]>();

/** Records that `owner` writes the routing described by `claim`. */
export function claimRouting(owner: IConstruct, claim: RoutingClaim): void {
  claims.set(owner, [...(claims.get(owner) ?? []), claim]);
}

/** Kinds whose objects have no namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

function identity(o: ApiObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const namespace = CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata.namespace ?? Chart.of(o).namespace ?? '';
  return `${group}|${o.kind}|${namespace}|${o.metadata.name}`;
}

function describe(o: ApiObject): string {
  const namespace = o.metadata.namespace ?? Chart.of(o).namespace;
  return `the ${o.kind} "${o.metadata.name}"${namespace ? ` in namespace ${namespace}` : ''}`;
}

/** Everything the checks need from one chart, built in one pass over its constructs. */
interface ChartIndex {
  readonly objectsByIdentity: Map<string, ApiObject[]>;
  readonly ownersByClaim: Map<string, IConstruct[]>;
}

const indexes = new WeakMap<Chart, ChartIndex>();
const hooked = new WeakSet<Chart>();

function buildIndex(chart: Chart): ChartIndex {
  const objectsByIdentity = new Map<string, ApiObject[]>();
  const ownersByClaim = new Map<string, IConstruct[]>();
  for (const c of chart.node.findAll()) {
    if (c instanceof ApiObject) {
      const id = identity(c);
      objectsByIdentity.set(id, [...(objectsByIdentity.get(id) ?? []), c]);
    }
    for (const claim of claims.get(c) ?? []) ownersByClaim.set(claim.key, [...(ownersByClaim.get(claim.key) ?? []), c]);
  }
  return { objectsByIdentity, ownersByClaim };
}

/**
 * The chart's index, built once per validation pass rather than once per construct (which made
 * synth quadratic in the number of services). A validation on the chart itself rebuilds it:
 * cdk8s validates parents before children, so every pass starts with a fresh index.
 */
function indexOf(owner: IConstruct): ChartIndex {
  const chart = Chart.of(owner);
  if (!hooked.has(chart)) {
    hooked.add(chart);
    chart.node.addValidation({ validate: () => { indexes.set(chart, buildIndex(chart)); return []; } });
  }
  let index = indexes.get(chart);
  if (!index) {
    index = buildIndex(chart);
    indexes.set(chart, index);
  }
  return index;
}

/**
 * Problems of `owner`'s objects and claims against everything else in its chart: objects of the
 * same group, kind, namespace and name, and routing claims with the same key. Each side of a
 * conflict reports it, so every construct involved names the other.
 */
export function uniquenessProblems(owner: IConstruct): string[] {
  const index = indexOf(owner);
  const errors: string[] = [];
  for (const o of owner.node.findAll()) {
    if (!(o instanceof ApiObject)) continue;
    const group = index.objectsByIdentity.get(identity(o)) ?? [];
    if (group.length < 2) continue;
    const others = group.filter((g) => g !== o).map((g) => g.node.path);
    errors.push(problem('names', `${describe(o)} is also written by ${others.join(', ')}, so applying the manifests would keep only one of them`,
      'give each object its own name (the name prop, or names.* of a GrayService), or put the services in different namespaces'));
  }
  for (const claim of claims.get(owner) ?? []) {
    const rivals = (index.ownersByClaim.get(claim.key) ?? []).filter((c) => c !== owner);
    if (rivals.length > 0) {
      errors.push(problem(claim.prop, `${claim.what} is also written by ${rivals.map((r) => r.node.path).join(', ')}; Istio would merge or pick between them unpredictably`, claim.fix));
    }
  }
  return errors;
}
