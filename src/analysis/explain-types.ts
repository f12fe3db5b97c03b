/**
 * The result of `explain`: a tree. A hop is one routing decision (at the gateway or a sidecar);
 * its destinations are the branches of the matched rule, in the rule's order, each with its share;
 * each destination lists the workloads it reaches, and each workload the hops of the calls it
 * makes. `--json` prints exactly this shape ({@link EXPLAIN_SCHEMA_VERSION}); docs/cli.md
 * documents it field by field.
 */
import type { ColoringStep } from './coloring';
import type { PodIpOptions } from './subsets';

/** The version of the JSON shape; raised only when a field changes meaning or goes away. */
export const EXPLAIN_SCHEMA_VERSION = 1;

/** Where the request enters: the ingress gateway (with host and path), or a Service. */
export type EntryPoint =
  | { readonly gateway: true | string; readonly host?: string; readonly path?: string }
  | { readonly service: string; readonly namespace?: string; readonly path?: string };

/** What to explain besides the entry point. */
export interface ExplainOptions extends PodIpOptions {
  /** Request headers at the entry point. @default {} */
  readonly headers?: Record<string, string>;
  /** HTTP method. @default "GET" */
  readonly method?: string;
  /** Port the request is sent to. @default - the gateway server's port, or the Service's first port */
  readonly port?: number;
  /** Explain the mesh as Kruise rewrites it while these services (or all) are released. */
  readonly release?: readonly string[] | 'all';
  /** Maximum number of hops in a chain. @default 16 */
  readonly maxDepth?: number;
  /** The client address the gateway sees (for colorings that read it), `ip` or `ip:port`. @default "192.0.2.10:40000" */
  readonly clientAddress?: string;
  /** Dynamic metadata at the gateway by filter namespace (e.g. a verified JWT payload), for colorings that read it. */
  readonly dynamicMetadata?: Readonly<Record<string, unknown>>;
  /** Skip the gateway's EnvoyFilters (the request is taken as already colored). @default false */
  readonly skipColoring?: boolean;
  /** A TCP connection, routed by the `tcp` rules (by port and caller), not an HTTP request. @default false */
  readonly tcp?: boolean;
}

/** How a hop ended. */
export type HopOutcome = 'route' | 'direct-response' | 'redirect' | 'not-found' | 'no-service' | 'unsupported' | 'cycle' | 'not-followed' | 'error' | 'local-reply';

/** A share of requests a policy applies to, in percent (0..100). */
export interface PolicyShare {
  readonly percent: number;
}

/** Fault injection of the matched rule. */
export interface ExplainedFault {
  readonly delay?: PolicyShare & { readonly fixedDelay?: string };
  readonly abort?: PolicyShare & { readonly httpStatus?: number; readonly grpcStatus?: string };
}

/** A mirror of the matched rule: a copy of the request, answer ignored. */
export interface ExplainedMirror extends PolicyShare {
  readonly host: string;
  readonly subset?: string;
}

/** The matched rule: where it is, what it matches, and the policy it applies. */
export interface ExplainedRule {
  /** Index in the VirtualService's `http` list. */
  readonly index: number;
  readonly name?: string;
  /** The match in words, e.g. `my-request-id exact "canary"`. */
  readonly match: string;
  /** Header names the rule's matches test, lowercase. */
  readonly headerNames: string[];
  readonly timeout?: string;
  readonly retries?: { readonly attempts?: number; readonly perTryTimeout?: string; readonly retryOn?: string };
  readonly fault?: ExplainedFault;
  readonly mirrors: ExplainedMirror[];
}

/** The request as it arrives at a hop. */
export interface ExplainedRequest {
  readonly method: string;
  readonly path: string;
  readonly port?: number;
  readonly authority?: string;
  readonly headers: Record<string, string>;
}

/** One hop: a request for a host, the rule that matched, and where it went. */
export interface Hop {
  /** The caller: `gateway <ns/name>`, `client`, or a Deployment name. */
  readonly from: string;
  /** The host requested (as the caller wrote it). */
  readonly host: string;
  /** The Service the host names (`name.namespace`), if found. */
  readonly service?: string;
  /** The port the request goes to, when known. */
  readonly port?: number;
  /** What the gateway's EnvoyFilters did before routing (gateway hops only), in the order they ran. */
  readonly coloring?: ColoringStep[];
  /** The VirtualService that routed it (`namespace/name`), if any. */
  readonly virtualService?: string;
  readonly rule?: ExplainedRule;
  readonly outcome: HopOutcome;
  /** HTTP status for outcomes that end the request (404, 503, a direct response...). */
  readonly status?: number;
  readonly message?: string;
  /** The request headers routed on at this hop (after the coloring, at the gateway). */
  readonly headers: Record<string, string>;
  /** The branches of the matched rule, in its order. */
  readonly destinations: ExplainedDestination[];
}

/** One branch of the matched rule. */
export interface ExplainedDestination {
  readonly host: string;
  readonly service?: string;
  readonly subset?: string;
  readonly port?: number;
  /** The route's `weight` as written (undefined for a single destination without one). */
  readonly weight?: number;
  /** Share of the rule's traffic, 0..1 (weights are shares of their sum). */
  readonly share: number;
  /** Header changes the branch makes (`headers.request.set` of the rule and of the route), in words. */
  readonly sets?: Record<string, string>;
  /** The DestinationRule's traffic policy for this destination (subset over host), by dotted path. */
  readonly trafficPolicy?: Record<string, string | number | boolean>;
  /** How the pods were chosen, in words. */
  readonly selection: string;
  readonly workloads: WorkloadStep[];
  /** 503 when no pod is reached ('no healthy upstream'). */
  readonly status?: number;
  readonly message?: string;
}

/** A Deployment whose pods the destination reaches, and the hops of the calls they make. */
export interface WorkloadStep {
  readonly name: string;
  readonly namespace: string;
  /** True for the virtual `<deployment>-canary` workload of a simulated Kruise release. */
  readonly canary: boolean;
  readonly podIp?: string;
  readonly calls: Hop[];
}

/** The whole explanation. */
export interface ExplainResult {
  readonly schemaVersion: number;
  /** The entry point in words (`gateway ns/name host H path P`, `service S`). */
  readonly entry: string;
  /** The request as sent by the client. */
  readonly request: ExplainedRequest;
  /** Same as `request.headers` (kept for readers of the first shape). */
  readonly headers: Record<string, string>;
  /** The services whose Kruise release was simulated. */
  readonly release: string[];
  readonly hops: Hop[];
  /** What the explained state means (e.g. the Kruise release step of `--release S --step N`). */
  readonly notes?: string[];
  readonly warnings: string[];
}
