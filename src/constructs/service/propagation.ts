/**
 * Header propagation over the app's call graph: Istio routes each hop on that hop's request
 * headers and never copies a header from a service's incoming request to its outgoing calls, so
 * every service that calls a routed service (directly or through others) must forward the
 * header. One walk shared by traffic lanes and Kruise releases.
 */

/** What the walk needs of a service (a GrayService). */
export interface CallGraphNode {
  /** Service name (the bare host). */
  readonly name: string;
  /** The hosts the service calls (bare names or FQDNs). */
  readonly callees: readonly string[];
  /** The namespace the service's objects land in, if known. */
  readonly effectiveNamespace?: string;
  /** The headers its application forwards. */
  readonly headersToPropagate: readonly string[];
}

/** A caller on the path to a routed service that does not forward the header. */
export interface MissingPropagation<T extends CallGraphNode> {
  /** The service that drops the header. */
  readonly caller: T;
  /** The service it calls on the path (a target, or another caller). */
  readonly callee: T;
}

/** Callee → the services that call it (see {@link callerGraph}); build it once and share it between walks. */
export type CallerGraph<T extends CallGraphNode> = ReadonlyMap<T, readonly T[]>;

/**
 * Every service that calls one of `targets`, directly or through other services, and does not
 * propagate `header`; each reported once, breadth-first from the targets (so the nearest first).
 */
export function callersDroppingHeader<T extends CallGraphNode>(callers: CallerGraph<T>, targets: Iterable<T>, header: string): MissingPropagation<T>[] {
  const out: MissingPropagation<T>[] = [];
  const seen = new Set<T>(targets);
  const queue = [...seen];
  // Breadth-first from the targets; an index instead of shift() keeps the walk linear.
  for (let next = 0; next < queue.length; next++) {
    const callee = queue[next];
    for (const caller of callers.get(callee) ?? []) {
      if (seen.has(caller)) continue;
      seen.add(caller);
      queue.push(caller);
      if (!caller.headersToPropagate.includes(header)) out.push({ caller, callee });
    }
  }
  return out;
}

/**
 * Callee → its callers, over every service (in the given order). Linear in services and calls:
 * each called host is looked up by name instead of compared with every service.
 */
export function callerGraph<T extends CallGraphNode>(services: readonly T[]): CallerGraph<T> {
  const byName = new Map<string, T[]>();
  for (const s of services) {
    const list = byName.get(s.name);
    if (list) list.push(s); else byName.set(s.name, [s]);
  }
  const callers = new Map<T, T[]>();
  for (const caller of services) {
    for (const host of caller.callees) {
      for (const callee of byName.get(host.split('.')[0]) ?? []) {
        if (!hostNames(caller, host, callee)) continue;
        const list = callers.get(callee);
        if (list) list.push(caller); else callers.set(callee, [caller]);
      }
    }
  }
  return callers;
}

/** Whether `host`, called by `caller`, names the service `s` (bare name or FQDN). */
function hostNames(caller: CallGraphNode, host: string, s: CallGraphNode): boolean {
  const [name, namespace] = host.split('.');
  if (name !== s.name) return false;
  const target = namespace ?? caller.effectiveNamespace;
  const callee = s.effectiveNamespace;
  return target === undefined || callee === undefined || target === callee;
}
