/**
 * The servers of an ingress Gateway: HTTP (optionally redirecting to HTTPS), HTTPS terminated
 * with a Secret (SIMPLE or MUTUAL), and TLS passed through by SNI (Istio 1.23
 * `networking/v1alpha3/gateway.proto` ServerTLSSettings; notes §5h).
 */
import type { GatewaySpecServers, GatewaySpecServersTlsMode } from '../../../imports/istio-networking';
import { isDns1123Label, isDns1123Subdomain } from '../names';
import { ModelProblem, problem } from '../problem';

/** The protocol a gateway server speaks to clients. */
export enum GatewayProtocol {
  /** Plain HTTP; http rules route it. */
  HTTP = 'HTTP',
  /** HTTPS: TLS terminated at the gateway (or passed through with PASSTHROUGH). */
  HTTPS = 'HTTPS',
  /** TLS not terminated at the gateway: tls routes by SNI. */
  TLS = 'TLS',
}

/** How a gateway server handles TLS. */
export enum GatewayTlsMode {
  /** Terminate TLS with the server certificate of `credentialName`. */
  SIMPLE = 'SIMPLE',
  /** Terminate TLS and require a client certificate (CA in the same Secret or `<name>-cacert`). */
  MUTUAL = 'MUTUAL',
  /** Forward the TLS stream by SNI, untouched. */
  PASSTHROUGH = 'PASSTHROUGH',
}

/** A server of the gateway, resolved. */
export interface GatewayServer {
  /** Port name (unique in the gateway). */
  readonly name: string;
  /** Port number on the gateway workload. */
  readonly port: number;
  /** A {@link GatewayProtocol} value (Istio also has HTTP2, GRPC, TCP, ... for servers written elsewhere). */
  readonly protocol: string;
  /** Hosts the server accepts, in Istio's `[namespace/]host` form. */
  readonly hosts: readonly string[];
  /** TLS settings (HTTPS and TLS servers; `httpsRedirect` on HTTP servers). */
  readonly tls?: {
    /** A {@link GatewayTlsMode} value. */
    readonly mode?: string;
    readonly credentialName?: string;
    readonly httpsRedirect?: boolean;
  };
}

/** One server of an `IngressGateway`, as given (what {@link resolveServers} reads). */
export interface GatewayServerProps {
  /**
   * Port name, unique in the gateway.
   * @default - the protocol in lowercase (`http`, `https`), with `-<port>` when two servers share it
   */
  readonly name?: string;
  /** Port on the gateway workload (the default istio-ingressgateway listens on 8080 and 8443). */
  readonly port: number;
  /** What the server speaks to clients. */
  readonly protocol: GatewayProtocol;
  /**
   * Hosts the server accepts, in Istio's `[namespace/]host` form.
   * @default - the gateway's `hosts`
   */
  readonly hosts?: readonly string[];
  /**
   * TLS handling (HTTPS and TLS servers).
   * @default - GatewayTlsMode.SIMPLE for HTTPS, GatewayTlsMode.PASSTHROUGH for TLS
   */
  readonly tlsMode?: GatewayTlsMode;
  /**
   * The TLS Secret (`tls.crt`, `tls.key`, and `ca.crt` for MUTUAL) in the gateway workload's
   * namespace; required when the server terminates TLS (SIMPLE, MUTUAL).
   * @default - none
   */
  readonly credentialName?: string;
  /**
   * Answer every request of this HTTP server with a 301 redirect to HTTPS.
   * @default false
   */
  readonly httpsRedirect?: boolean;
}

/** Whether http routes apply on the server (HTTP, or HTTPS terminated at the gateway). */
export function servesHttp(s: GatewayServer): boolean {
  return s.protocol === GatewayProtocol.HTTP || (s.protocol === GatewayProtocol.HTTPS && s.tls?.mode !== GatewayTlsMode.PASSTHROUGH);
}

/** The servers resolved (defaults filled in) and every problem with them. */
export function resolveServers(prop: string, inputs: readonly GatewayServerProps[], defaultHosts: readonly string[]): { servers: GatewayServer[]; problems: ModelProblem[] } {
  const out: ModelProblem[] = [];
  if (inputs.length === 0) out.push(problem(prop, 'no server given', 'give at least one server, e.g. { port: 80, protocol: GatewayProtocol.HTTP }'));
  const protocolCount = (p: GatewayProtocol) => inputs.filter((x) => x.protocol === p).length;
  const servers = inputs.map((s, i): GatewayServer => {
    const at = `${prop}[${i}]`;
    out.push(...serverProblems(at, s));
    const name = s.name ?? (protocolCount(s.protocol) === 1 ? s.protocol.toLowerCase() : `${s.protocol.toLowerCase()}-${s.port}`);
    const mode = s.tlsMode ?? (s.protocol === GatewayProtocol.HTTPS ? GatewayTlsMode.SIMPLE : s.protocol === GatewayProtocol.TLS ? GatewayTlsMode.PASSTHROUGH : undefined);
    const tls = s.protocol === GatewayProtocol.HTTP
      ? (s.httpsRedirect ? { httpsRedirect: true } : undefined)
      : { mode, credentialName: s.credentialName };
    return { name, port: s.port, protocol: s.protocol, hosts: [...(s.hosts ?? defaultHosts)], tls };
  });
  for (const [what, key] of [['port', (s: GatewayServer) => String(s.port)], ['name', (s: GatewayServer) => s.name]] as const) {
    const seen = new Set<string>();
    for (const s of servers) {
      if (seen.has(key(s))) out.push(problem(prop, `two servers use the ${what} ${key(s)}`, 'give every server its own port and name'));
      seen.add(key(s));
    }
  }
  return { servers, problems: out };
}

function serverProblems(at: string, s: GatewayServerProps): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (!Object.values(GatewayProtocol).includes(s.protocol)) return [problem(`${at}.protocol`, `${JSON.stringify(s.protocol)} is not a gateway protocol`, 'use GatewayProtocol.HTTP, HTTPS or TLS')];
  if (!(Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535)) out.push(problem(`${at}.port`, `${s.port} is not a port`, 'give a port from 1 to 65535 (the gateway workload\'s, e.g. 8080 and 8443 for the default istio-ingressgateway)'));
  if (s.name !== undefined && !isDns1123Label(s.name)) out.push(problem(`${at}.name`, `${JSON.stringify(s.name)} is not a port name`, 'use a DNS-1123 label, e.g. "https"'));
  if (s.hosts !== undefined && s.hosts.length === 0) out.push(problem(`${at}.hosts`, 'no host given', 'list the hosts, or leave hosts unset for the gateway\'s hosts'));
  if (s.protocol === GatewayProtocol.HTTP) {
    if (s.tlsMode !== undefined || s.credentialName !== undefined) out.push(problem(at, 'an HTTP server has no TLS settings besides httpsRedirect', 'use GatewayProtocol.HTTPS for TLS, or drop tlsMode and credentialName'));
    return out;
  }
  if (s.httpsRedirect) out.push(problem(`${at}.httpsRedirect`, `a ${s.protocol} server does not redirect`, 'set httpsRedirect on the HTTP server'));
  const mode = s.tlsMode ?? (s.protocol === GatewayProtocol.HTTPS ? GatewayTlsMode.SIMPLE : GatewayTlsMode.PASSTHROUGH);
  if (!Object.values(GatewayTlsMode).includes(mode)) out.push(problem(`${at}.tlsMode`, `${JSON.stringify(mode)} is not a TLS mode`, 'use GatewayTlsMode.SIMPLE, MUTUAL or PASSTHROUGH'));
  if (mode === GatewayTlsMode.PASSTHROUGH) {
    if (s.credentialName !== undefined) out.push(problem(`${at}.credentialName`, 'a PASSTHROUGH server does not terminate TLS, so it uses no certificate', 'drop credentialName, or use GatewayTlsMode.SIMPLE'));
  } else if (s.credentialName === undefined) {
    out.push(problem(`${at}.credentialName`, `the ${s.protocol} server terminates TLS (${mode}) but has no certificate`,
      'give credentialName: a TLS Secret (tls.crt, tls.key; ca.crt for MUTUAL) in the gateway workload\'s namespace, e.g. "bookinfo-credential"'));
  } else if (!isDns1123Subdomain(s.credentialName)) {
    out.push(problem(`${at}.credentialName`, `${JSON.stringify(s.credentialName)} is not a Secret name`, 'give a DNS-1123 subdomain'));
  }
  return out;
}

/** The Gateway `servers` list. */
export function renderServers(servers: readonly GatewayServer[]): GatewaySpecServers[] {
  return servers.map((s) => ({
    hosts: [...s.hosts],
    port: { name: s.name, number: s.port, protocol: s.protocol },
    tls: s.tls ? { mode: s.tls.mode as string as GatewaySpecServersTlsMode | undefined, credentialName: s.tls.credentialName, httpsRedirect: s.tls.httpsRedirect } : undefined,
  }));
}
