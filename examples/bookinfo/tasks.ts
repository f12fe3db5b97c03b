/**
 * What each Istio task does to a request, as data: the tables of README.md ("request →
 * destination"), asserted by test/bookinfo.test.ts against the synthesized manifests with an
 * evaluator written from Istio's semantics (test/support), and by the route explainer.
 */

/** The tasks, each synthesized into dist/bookinfo/<name>/. */
export type TaskName =
  | 'request-routing' | 'traffic-shifting' | 'fault-injection-delay' | 'fault-injection-abort' | 'request-timeouts'
  | 'circuit-breaking' | 'mirroring' | 'ingress-https' | 'grpc';

/** One request. */
export interface TaskRequest {
  /** The service called from inside the mesh, or `gateway` for the ingress gateway. */
  readonly to: string;
  /** The service port, or the gateway port. @default - the service's first port; 8443 at the gateway */
  readonly port?: number;
  /** Host header at the gateway. @default - none */
  readonly host?: string;
  /** @default '/' */
  readonly path?: string;
  /** @default 'GET' */
  readonly method?: string;
  /** @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** A TCP connection rather than an HTTP request (headers cannot be seen). @default false */
  readonly tcp?: boolean;
}

/** What happens to it at that hop. */
export interface TaskOutcome {
  /** The Deployments reached and their share in percent. */
  readonly reaches?: Readonly<Record<string, number>>;
  /** The status the proxy answers with itself: 404 (no route), 301 (HTTPS redirect), a fault's abort. */
  readonly status?: number;
  /** Delay injected before forwarding. */
  readonly delay?: string;
  /** Timeout of the request. */
  readonly timeout?: string;
  /** Deployments that get a copy of the request, with the share copied. */
  readonly mirror?: Readonly<Record<string, number>>;
  /** Settings of the destination's traffic policy (DestinationRule), by field path. */
  readonly trafficPolicy?: Readonly<Record<string, string | number | boolean>>;
}

export interface TaskRow {
  readonly request: TaskRequest;
  readonly outcome: TaskOutcome;
}

export interface BookinfoTask {
  readonly name: TaskName;
  readonly title: string;
  /** The Istio task page. */
  readonly doc: string;
  readonly rows: readonly TaskRow[];
}

const JASON = { 'end-user': 'jason' } as const;
const DOCS = 'https://istio.io/v1.23/docs/tasks/traffic-management';
const HOST = 'bookinfo.example.com';
/** The gRPC method of Istio's echo app (pkg/test/echo/proto/echo.proto). */
const ECHO_RPC = '/proto.EchoTestService/Echo';

export const TASKS: readonly BookinfoTask[] = [
  {
    name: 'request-routing',
    title: 'Request routing: jason gets reviews v2, everyone else v1',
    doc: `${DOCS}/request-routing/`,
    rows: [
      { request: { to: 'reviews', headers: JASON }, outcome: { reaches: { 'reviews-v2': 100 } } },
      { request: { to: 'reviews', headers: { 'end-user': 'alice' } }, outcome: { reaches: { 'reviews-v1': 100 } } },
      { request: { to: 'reviews' }, outcome: { reaches: { 'reviews-v1': 100 } } },
      { request: { to: 'ratings', headers: JASON }, outcome: { reaches: { 'ratings-v1': 100 } } },
      { request: { to: 'productpage' }, outcome: { reaches: { 'productpage-v1': 100 } } },
    ],
  },
  {
    name: 'traffic-shifting',
    title: 'Traffic shifting: reviews 50% v1, 50% v3',
    doc: `${DOCS}/traffic-shifting/`,
    rows: [
      { request: { to: 'reviews' }, outcome: { reaches: { 'reviews-v1': 50, 'reviews-v3': 50 } } },
      { request: { to: 'reviews', headers: JASON }, outcome: { reaches: { 'reviews-v1': 50, 'reviews-v3': 50 } } },
    ],
  },
  {
    name: 'fault-injection-delay',
    title: 'Fault injection: jason\'s calls to ratings are delayed 7 s',
    doc: `${DOCS}/fault-injection/`,
    rows: [
      { request: { to: 'ratings', headers: JASON }, outcome: { reaches: { 'ratings-v1': 100 }, delay: '7s' } },
      { request: { to: 'ratings' }, outcome: { reaches: { 'ratings-v1': 100 } } },
      { request: { to: 'reviews', headers: JASON }, outcome: { reaches: { 'reviews-v2': 100 } } },
    ],
  },
  {
    name: 'fault-injection-abort',
    title: 'Fault injection: jason\'s calls to ratings answer HTTP 500',
    doc: `${DOCS}/fault-injection/`,
    rows: [
      { request: { to: 'ratings', headers: JASON }, outcome: { status: 500 } },
      { request: { to: 'ratings' }, outcome: { reaches: { 'ratings-v1': 100 } } },
      { request: { to: 'reviews', headers: JASON }, outcome: { reaches: { 'reviews-v2': 100 } } },
    ],
  },
  {
    name: 'request-timeouts',
    title: 'Request timeouts: reviews v2 times out after 0.5 s, ratings is delayed 2 s',
    doc: `${DOCS}/request-timeouts/`,
    rows: [
      { request: { to: 'reviews' }, outcome: { reaches: { 'reviews-v2': 100 }, timeout: '0.5s' } },
      { request: { to: 'ratings' }, outcome: { reaches: { 'ratings-v1': 100 }, delay: '2s' } },
    ],
  },
  {
    name: 'circuit-breaking',
    title: 'Circuit breaking: one connection, one pending request, a pod ejected after one 5xx',
    doc: `${DOCS}/circuit-breaking/`,
    rows: [
      {
        request: { to: 'reviews' },
        outcome: {
          reaches: { 'reviews-v1': 100 },
          trafficPolicy: {
            'connectionPool.tcp.maxConnections': 1,
            'connectionPool.http.http1MaxPendingRequests': 1,
            'connectionPool.http.maxRequestsPerConnection': 1,
            'outlierDetection.consecutive5xxErrors': 1,
            'outlierDetection.interval': '1s',
            'outlierDetection.baseEjectionTime': '180s',
            'outlierDetection.maxEjectionPercent': 100,
          },
        },
      },
    ],
  },
  {
    name: 'mirroring',
    title: 'Mirroring: reviews v1 serves, v2 gets a copy of every request',
    doc: `${DOCS}/mirroring/`,
    rows: [
      { request: { to: 'reviews' }, outcome: { reaches: { 'reviews-v1': 100 }, mirror: { 'reviews-v2': 100 } } },
      { request: { to: 'reviews', headers: JASON }, outcome: { reaches: { 'reviews-v1': 100 }, mirror: { 'reviews-v2': 100 } } },
    ],
  },
  {
    name: 'ingress-https',
    title: 'Secure ingress: HTTPS with a credential, HTTP redirected, five paths to productpage, 404 otherwise',
    doc: `${DOCS}/ingress/secure-ingress/`,
    rows: [
      { request: { to: 'gateway', host: HOST, path: '/productpage' }, outcome: { reaches: { 'productpage-v1': 100 } } },
      { request: { to: 'gateway', host: HOST, path: '/static/bootstrap/css/bootstrap.min.css' }, outcome: { reaches: { 'productpage-v1': 100 } } },
      { request: { to: 'gateway', host: HOST, path: '/login', method: 'POST' }, outcome: { reaches: { 'productpage-v1': 100 } } },
      { request: { to: 'gateway', host: HOST, path: '/logout' }, outcome: { reaches: { 'productpage-v1': 100 } } },
      { request: { to: 'gateway', host: HOST, path: '/api/v1/products/0/reviews' }, outcome: { reaches: { 'productpage-v1': 100 } } },
      { request: { to: 'gateway', host: HOST, path: '/productpage/extra' }, outcome: { status: 404 } },
      { request: { to: 'gateway', host: HOST, path: '/admin' }, outcome: { status: 404 } },
      { request: { to: 'gateway', host: HOST, port: 8080, path: '/productpage' }, outcome: { status: 301 } },
    ],
  },
  {
    name: 'grpc',
    title: 'gRPC: one service with an HTTP and a gRPC port (and TCP), a lane over both',
    doc: 'https://github.com/istio/istio/tree/1.23.6/samples/grpc-echo',
    rows: [
      { request: { to: 'echo', port: 7070, method: 'POST', path: ECHO_RPC, headers: { 'x-lane': 'preview' } }, outcome: { reaches: { 'echo-preview': 100 } } },
      { request: { to: 'echo', port: 80, headers: { 'x-lane': 'preview' } }, outcome: { reaches: { 'echo-preview': 100 } } },
      { request: { to: 'echo', port: 7070, method: 'POST', path: ECHO_RPC }, outcome: { reaches: { 'echo-v1': 100 } } },
      { request: { to: 'echo', port: 80 }, outcome: { reaches: { 'echo-v1': 100 } } },
      { request: { to: 'echo', port: 9090, tcp: true }, outcome: { reaches: { 'echo-v1': 100 } } },
    ],
  },
];

/** The request in words: `GET http://reviews/ end-user: jason`, `TCP echo:9090`. */
export function describeRequest(r: TaskRequest): string {
  const port = r.port ? `:${r.port}` : '';
  if (r.tcp) return `TCP ${r.to}${port}`;
  const where = r.to === 'gateway' ? `${r.port === 8080 ? 'http' : 'https'}://${r.host ?? '*'}` : `http://${r.to}${port}`;
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');
  return [`${r.method ?? 'GET'} ${where}${r.path ?? '/'}`, headers].filter((x) => x).join(' ');
}

/** The outcome in words: `reviews-v1 50%, reviews-v3 50%`, `404`, `ratings-v1 (delay 7s)`. */
export function describeOutcome(o: TaskOutcome): string {
  if (o.status !== undefined) return o.status === 301 ? '301 redirect to HTTPS' : o.status === 404 ? '404 (no route)' : `${o.status} (fault abort)`;
  const shares = Object.entries(o.reaches ?? {});
  const main = shares.length === 1 ? shares[0][0] : shares.map(([d, p]) => `${d} ${p}%`).join(', ');
  const notes = [
    o.delay ? `delay ${o.delay}` : '',
    o.timeout ? `timeout ${o.timeout}` : '',
    ...Object.entries(o.mirror ?? {}).map(([d, p]) => `copy to ${d} ${p}%`),
    ...Object.entries(o.trafficPolicy ?? {}).map(([k, v]) => `${k.split('.').pop()} ${v}`),
  ].filter((x) => x);
  return notes.length > 0 ? `${main} (${notes.join(', ')})` : main;
}

/** A task's table as in README.md. */
export function renderTaskTable(task: BookinfoTask): string {
  const lines = ['| request | destination |', '|---|---|'];
  for (const row of task.rows) lines.push(`| \`${describeRequest(row.request)}\` | ${describeOutcome(row.outcome)} |`);
  return lines.join('\n');
}
