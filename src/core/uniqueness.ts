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

/**
 * Problems of `owner`'s objects and claims against everything else in its chart: objects of the
 * same group, kind, namespace and name, and routing claims with the same key. Each side of a
 * conflict reports it, so every construct involved names the other.
 */
export function uniquenessProblems(owner: IConstruct): string[] {
  const everything = Chart.of(owner).node.findAll();
  const mine = new Set(owner.node.findAll());
  const errors: string[] = [];

  const byIdentity = new Map<string, ApiObject[]>();
  for (const c of everything) {
    if (!(c instanceof ApiObject)) continue;
    const id = identity(c);
    byIdentity.set(id, [...(byIdentity.get(id) ?? []), c]);
  }
  for (const group of byIdentity.values()) {
    if (group.length < 2) continue;
    for (const o of group.filter((g) => mine.has(g))) {
      const others = group.filter((g) => g !== o).map((g) => g.node.path);
      errors.push(problem('names', `${describe(o)} is also written by ${others.join(', ')}, so applying the manifests would keep only one of them`,
        'give each object its own name (the name prop, or names.* of a GrayService), or put the services in different namespaces'));
    }
  }

  for (const claim of claims.get(owner) ?? []) {
    const rivals = everything.filter((c) => c !== owner && (claims.get(c) ?? []).some((other) => other.key === claim.key));
    if (rivals.length > 0) {
      errors.push(problem(claim.prop, `${claim.what} is also written by ${rivals.map((r) => r.node.path).join(', ')}; Istio would merge or pick between them unpredictably`, claim.fix));
    }
  }
  return errors;
}
