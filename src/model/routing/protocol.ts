/**
 * Ports of a service and the protocol Istio must see on each. Istio picks a port's protocol
 * from `appProtocol`, else from the port name's prefix (`http`, `http-web`, `grpc-api`), else
 * sniffs it (istio/istio@1.23.6 pkg/config/kube/conversion.go ConvertProtocol); the library
 * writes both, so every Istio version and every tool reads the same protocol.
 */
import { ModelProblem, problem } from '../problem';

/** The protocol of a service port. */
export enum Protocol {
  /** HTTP/1.1 (and HTTP/2 when the client upgrades): http rules route it. */
  HTTP = 'HTTP',
  /** HTTP/2 without TLS (h2c): http rules route it. */
  HTTP2 = 'HTTP2',
  /** gRPC (HTTP/2): http rules route it. */
  GRPC = 'GRPC',
  /** Opaque TCP: tcp routes to the default version only. */
  TCP = 'TCP',
  /** TLS the application terminates: tls routes (by SNI) to the default version only. */
  TLS = 'TLS',
}

/** A port of a service, resolved. */
export interface ServicePort {
  /** Port name: the protocol's prefix, optionally `-suffix` (`http`, `grpc-api`). */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /** Container port. */
  readonly targetPort: number;
  readonly protocol: Protocol;
  /** `appProtocol` of the Service port. */
  readonly appProtocol: string;
}

/** Per protocol: the port-name prefixes Istio reads as it, and the `appProtocol` written. */
const PROTOCOLS: Readonly<Record<Protocol, { readonly prefixes: readonly string[]; readonly appProtocol: string; readonly http: boolean }>> = {
  [Protocol.HTTP]: { prefixes: ['http'], appProtocol: 'http', http: true },
  // Kubernetes' standard name for cleartext HTTP/2; Istio maps it to HTTP2 (conversion.go).
  [Protocol.HTTP2]: { prefixes: ['http2'], appProtocol: 'kubernetes.io/h2c', http: true },
  [Protocol.GRPC]: { prefixes: ['grpc'], appProtocol: 'grpc', http: true },
  [Protocol.TCP]: { prefixes: ['tcp'], appProtocol: 'tcp', http: false },
  [Protocol.TLS]: { prefixes: ['tls', 'https'], appProtocol: 'tls', http: false },
};

/** Whether http rules route the protocol (so versions' rules and lanes apply on it). */
export function isHttpFamily(p: Protocol): boolean {
  return PROTOCOLS[p]?.http === true;
}

/** The `appProtocol` written for a protocol. */
export function appProtocolOf(p: Protocol): string {
  return PROTOCOLS[p].appProtocol;
}

/**
 * A container (and Service) port name Kubernetes accepts: an IANA service name, at most 15
 * lowercase letters, digits and single hyphens, with a letter, not starting or ending with "-".
 */
export function isIanaServiceName(s: string): boolean {
  return typeof s === 'string' && s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes('--');
}

/** What a port needs to become a {@link ServicePort}. */
export interface PortInput {
  readonly name: string;
  readonly port: number;
  readonly targetPort?: number;
  readonly protocol: Protocol;
}

/** The ports resolved (targetPort defaulted) and every problem with them. */
export function resolvePorts(prop: string, ports: readonly PortInput[]): { ports: ServicePort[]; problems: ModelProblem[] } {
  const out: ModelProblem[] = [];
  if (ports.length === 0) out.push(problem(prop, 'no port given', 'give at least one port, e.g. { name: "http", port: 9080, protocol: Protocol.HTTP }'));
  const int = (v: number | undefined) => v !== undefined && Number.isInteger(v) && v >= 1 && v <= 65535;
  ports.forEach((p, i) => {
    const at = `${prop}[${i}]`;
    const spec = PROTOCOLS[p.protocol];
    if (!spec) out.push(problem(`${at}.protocol`, `${JSON.stringify(p.protocol)} is not a protocol`, 'use Protocol.HTTP, HTTP2, GRPC, TCP or TLS'));
    if (!int(p.port)) out.push(problem(`${at}.port`, `${p.port} is not a port`, 'give a port from 1 to 65535'));
    if (p.targetPort !== undefined && !int(p.targetPort)) out.push(problem(`${at}.targetPort`, `${p.targetPort} is not a port`, 'give a port from 1 to 65535'));
    if (!isIanaServiceName(p.name)) {
      out.push(problem(`${at}.name`, `${JSON.stringify(p.name)} is not a port name (it names the container port too)`, 'use at most 15 lowercase letters, digits and "-", e.g. "http" or "grpc-api"'));
    } else if (spec && !spec.prefixes.some((x) => p.name === x || p.name.startsWith(`${x}-`))) {
      out.push(problem(`${at}.name`, `the name "${p.name}" does not say ${p.protocol}: Istio reads a port's protocol from its name when appProtocol is not used`,
        `name it "${spec.prefixes[0]}" or "${spec.prefixes[0]}-<suffix>"`));
    }
  });
  for (const [what, key] of [['number', (p: PortInput) => String(p.port)], ['name', (p: PortInput) => p.name], ['container port', (p: PortInput) => String(p.targetPort ?? p.port)]] as const) {
    const seen = new Set<string>();
    for (const p of ports) {
      const k = key(p);
      if (seen.has(k)) out.push(problem(prop, `the port ${what} ${k} is used twice`, 'give every port its own number, name and container port'));
      seen.add(k);
    }
  }
  const resolved = ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol, appProtocol: PROTOCOLS[p.protocol]?.appProtocol ?? '' }));
  return { ports: resolved, problems: out };
}
