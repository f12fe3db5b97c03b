/**
 * Mermaid route diagrams as markdown: gateway → services → versions, one color per lane,
 * and the calls each version makes. Text goes into the diagram only through {@link mermaidText}.
 */
import { DeadRule, deadRules } from './dead-rules';
import { Lane, findLanesIndexed } from './lanes';
import { describeMatch } from './match';
import { destinationRuleFor } from './subsets';
import { HttpRule } from '../model/istio-views';
import { releaseUnits, simulateKruiseRelease } from '../model/kruise/istio-contract';
import {
  Manifest, ManifestIndex, callsOf, findService, formatRef, indexManifests, namespaceOf, refOf,
  workloadsOf,
} from '../model/manifest';
import { labelsMatch } from '../model/matching';

const LANE_COLORS = ['#e4572e', '#17bebb', '#ffc914', '#76b041', '#7d5ba6', '#2e86ab', '#f18f01', '#c73e1d'];

/** The one escaping function: text for a quoted Mermaid label. */
export function mermaidText(s: string): string {
  return s.replace(/[&"<>#|`\\]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, ' ');
}

class Graph {
  private readonly ids = new Map<string, string>();
  private readonly nodes: string[] = [];
  private readonly edges: string[] = [];
  private readonly styles: string[] = [];
  private readonly seen = new Set<string>();

  public node(key: string, label: string, shape: 'svc' | 'gw' | 'ver'): string {
    let id = this.ids.get(key);
    if (!id) {
      id = `n${this.ids.size}`;
      this.ids.set(key, id);
      const text = `"${mermaidText(label)}"`;
      this.nodes.push(shape === 'gw' ? `  ${id}([${text}])` : shape === 'svc' ? `  ${id}[${text}]` : `  ${id}(${text})`);
    }
    return id;
  }

  public edge(from: string, to: string, label: string | undefined, color?: string, dotted = false): void {
    const key = `${from}>${to}>${label}>${dotted}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const arrow = dotted ? '-.->' : '-->';
    this.edges.push(label ? `  ${from} ${arrow}|"${mermaidText(label)}"| ${to}` : `  ${from} ${arrow} ${to}`);
    if (color) this.styles.push(`  linkStyle ${this.edges.length - 1} stroke:${color},stroke-width:2px`);
  }

  public render(): string {
    return ['flowchart LR', ...this.nodes, ...this.edges, ...this.styles].join('\n');
  }
}

function laneOf(rule: HttpRule, lanes: readonly Lane[]): Lane | undefined {
  for (const m of rule.match ?? []) {
    for (const [name, sm] of Object.entries(m.headers ?? {})) {
      const lane = lanes.find((l) => l.header === name.toLowerCase() && l.value === String(sm.exact));
      if (lane) return lane;
    }
  }
  return undefined;
}

function svcKey(svc: Manifest): string {
  return `svc:${namespaceOf(svc)}/${svc.metadata.name}`;
}

function versionsOf(index: ManifestIndex, svc: Manifest, subset: string | undefined): Manifest[] {
  const all = workloadsOf(index, svc);
  if (subset === undefined) return all;
  const dr = destinationRuleFor(index, svc);
  const def = (dr ? index.views.destinationRule(dr).subsets ?? [] : []).find((s) => s.name === subset);
  return def ? all.filter((d) => labelsMatch(def.labels, index.views.podLabels(d))) : [];
}

/** The Mermaid flowchart (without fences) for a set of manifests. */
export function renderRoutesMermaid(manifests: readonly unknown[]): string {
  const index = indexManifests(manifests);
  return routesGraph(index, findLanesIndexed(index)).mermaid;
}

/** A rule left out of the diagram because it never matches. */
export interface UndrawnRule extends DeadRule {
  /** `VirtualService/namespace/name`. */
  readonly virtualService: string;
}

/**
 * The diagram of an index: an edge per live rule and branch (rules that never match and branches
 * of weight 0 in a split are left out and returned), then the calls of the pods reached.
 */
export function routesGraph(index: ManifestIndex, lanes: readonly Lane[]): { readonly mermaid: string; readonly undrawn: UndrawnRule[] } {
  const g = new Graph();
  const undrawn: UndrawnRule[] = [];
  const svcNode = (svc: Manifest) => g.node(svcKey(svc), `${svc.metadata.name}.${namespaceOf(svc)}`, 'svc');
  const workloadCalls = (from: string, d: Manifest) => callsOf(d).forEach((host) => {
    const target = findService(index, host, namespaceOf(d));
    g.edge(from, target ? svcNode(target) : g.node(`host:${host}`, host, 'svc'), 'calls', undefined, true);
  });
  const routedServices = new Set<string>();
  for (const vs of index.virtualServices) {
    const spec = index.views.virtualService(vs);
    const gws = spec.gateways ?? [];
    const sources: string[] = gws.filter((x) => x !== 'mesh').map((x) => g.node(`gw:${x.includes('/') ? x : `${namespaceOf(vs)}/${x}`}`, `gateway ${x}`, 'gw'));
    const dead = deadRules(index, vs);
    dead.forEach((d) => undrawn.push({ ...d, virtualService: formatRef(refOf(vs)) }));
    const deadAt = new Set(dead.map((d) => d.index));
    (spec.http ?? []).forEach((rule, i) => {
      if (deadAt.has(i)) return;
      const lane = laneOf(rule, lanes);
      const color = lane ? LANE_COLORS[lanes.indexOf(lane) % LANE_COLORS.length] : undefined;
      const routes = rule.route ?? [];
      const total = routes.reduce((s, r) => s + (r.weight || 0), 0);
      const match = describeMatch(rule);
      routes.forEach((r) => {
        const svc = findService(index, r.destination?.host ?? '', namespaceOf(vs));
        if (!svc || (routes.length > 1 && total > 0 && !r.weight)) return;
        const share = routes.length > 1 && total > 0 ? ` ${Math.round(((r.weight || 0) * 100) / total)}%` : '';
        const label = `${match === 'any request' ? 'default' : match}${share}`;
        sources.forEach((s) => g.edge(s, svcNode(svc), label, color));
        routedServices.add(svcKey(svc));
        const subset = r.destination?.subset;
        const workloads = versionsOf(index, svc, subset);
        const verLabel = `${subset ?? 'all pods'}: ${workloads.map((d) => d.metadata.name).join(', ') || 'no pods (503)'}`;
        const ver = g.node(`ver:${svcKey(svc)}/${subset ?? '*'}`, verLabel, 'ver');
        g.edge(svcNode(svc), ver, label, color);
        workloads.forEach((d) => workloadCalls(ver, d));
      });
    });
  }
  for (const svc of index.services) {
    if (routedServices.has(svcKey(svc))) continue;
    const workloads = workloadsOf(index, svc);
    if (workloads.length === 0) continue;
    const ver = g.node(`ver:${svcKey(svc)}/*`, `all pods: ${workloads.map((d) => d.metadata.name).join(', ')}`, 'ver');
    g.edge(svcNode(svc), ver, undefined);
    workloads.forEach((d) => workloadCalls(ver, d));
  }
  return { mermaid: g.render(), undrawn };
}

function undrawnTable(undrawn: readonly UndrawnRule[]): string[] {
  if (undrawn.length === 0) return [];
  return ['Rules that never match (not drawn):', '', '| VirtualService | rule | why |', '| --- | --- | --- |',
    ...undrawn.map((u) => `| ${mdCell(u.virtualService)} | http[${u.index}]${u.name ? ` ${mdCell(u.name)}` : ''} | ${mdCell(u.reason)} |`), ''];
}

/** Options for {@link renderRoutesMarkdown}. */
export interface RoutesMarkdownOptions {
  /** Heading of the document. @default "Routes" */
  readonly title?: string;
  /** Add a second diagram of the mesh during a Kruise release of every service. @default true when Rollouts route traffic */
  readonly includeRelease?: boolean;
}

/** ROUTES.md: the route diagram, the lanes with their colors, and the diagram during a release. */
export function renderRoutesMarkdown(manifests: readonly unknown[], opts: RoutesMarkdownOptions = {}): string {
  const index = indexManifests(manifests);
  const lanes = findLanesIndexed(index);
  const graph = routesGraph(index, lanes);
  const parts = [`# ${opts.title ?? 'Routes'}`, '', 'Generated from the manifests by `renderRoutesMarkdown`; do not edit.', '',
    '```mermaid', graph.mermaid, '```', '', ...undrawnTable(graph.undrawn)];
  if (lanes.length > 0) {
    parts.push('| Lane | Header | Color |', '| --- | --- | --- |');
    lanes.forEach((l, i) => parts.push(`| ${mdCell(l.name)} | \`${mdCell(l.header)}: ${mdCell(l.value)}\` | ${LANE_COLORS[i % LANE_COLORS.length]} |`));
    parts.push('');
  }
  const units = releaseUnits(index.all);
  if (opts.includeRelease ?? units.length > 0) {
    const sim = simulateKruiseRelease(index.all, 'all');
    const simIndex = indexManifests(sim.manifests);
    const during = routesGraph(simIndex, findLanesIndexed(simIndex));
    parts.push(`## During a release of ${sim.released.join(', ') || 'nothing'}`, '',
      'As Kruise Rollout rewrites the VirtualServices and DestinationRules (canary pods: `<deployment>-canary`).', '',
      '```mermaid', during.mermaid, '```', '', ...undrawnTable(during.undrawn));
  }
  return parts.join('\n');
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/`/g, "'");
}
