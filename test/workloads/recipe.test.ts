/**
 * The pod recipe: every Deployment of a service (versions and static lanes) is built from the
 * props given once, and `onEachWorkload` reaches every Deployment, present and future. The
 * Bookinfo-like chart has reviews with three versions and a static lane, as Istio's Bookinfo runs
 * it (samples/bookinfo/platform/kube/bookinfo.yaml @1.23.6: emptyDirs at /tmp and the Liberty
 * output dir, LOG_DIR=/tmp/logs, one ServiceAccount per service).
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GrayService, GrpcProbe, TrafficLane, WorkloadInfo, WorkloadRole } from '../../src';

const REVIEWS = 'docker.io/istio/examples-bookinfo-reviews';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}
const deploymentsOf = (objects: any[], app: string) => objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels.app === app);
const pod = (d: any) => d.spec.template.spec;
const container = (d: any) => pod(d).containers[0];

/** The fields the pods of one service must share, read from a manifest (independent of src/). */
function shared(d: any) {
  const c = container(d);
  return {
    volumes: pod(d).volumes,
    mounts: c.volumeMounts,
    ports: c.ports,
    serviceAccount: pod(d).serviceAccountName,
    readiness: c.readinessProbe,
    liveness: c.livenessProbe,
    startup: c.startupProbe,
  };
}

describe('a Bookinfo-like chart: reviews with three versions and a static lane', () => {
  const c = chart();
  const config = new kplus.ConfigMap(c, 'reviews-config', { metadata: { name: 'reviews-config' }, data: { 'server.xml': '<server/>' } });
  const reviews = new GrayService(c, 'reviews', {
    image: `${REVIEWS}-v1:1.20.1`,
    port: 9080,
    baseVersion: 'v1',
    names: { deployment: 'reviews-v1' },
    env: { LOG_DIR: kplus.EnvValue.fromValue('/tmp/logs') },
    writablePaths: ['/opt/ol/wlp/output'],
    volumes: [{ path: '/config/extra', volume: kplus.Volume.fromConfigMap(c, 'cfg', config), readOnly: true }],
    readiness: kplus.Probe.fromHttpGet('/health'),
    liveness: kplus.Probe.fromTcpSocket(),
    serviceAccount: { name: 'bookinfo-reviews' },
    podAnnotations: { 'prometheus.io/scrape': 'true' },
  });
  const productpage = new GrayService(c, 'productpage', { image: 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.1', port: 9080, calls: [reviews] });
  reviews._addVersion({ name: 'v2', image: `${REVIEWS}-v2:1.20.1` });
  reviews._addVersion({ name: 'v3', image: `${REVIEWS}-v3:1.20.1`, replicas: 2, env: { STAR_COLOR: kplus.EnvValue.fromValue('red') } });
  const lane = new TrafficLane(c, 'dev', { name: 'dev', header: 'x-lane', services: [productpage] });
  lane.addMember(reviews, { image: `${REVIEWS}-v3:dev`, resources: { cpu: { request: kplus.Cpu.millis(50) } } });
  const objects = Testing.synth(c);
  const reviewsDeployments = deploymentsOf(objects, 'reviews');

  test('reviews runs four Deployments: three versions and the lane', () => {
    expect(reviewsDeployments.map((d) => d.metadata.name)).toEqual(['reviews-v1', 'reviews-v2', 'reviews-v3', 'reviews-dev']);
    expect(reviewsDeployments.map((d) => d.spec.template.metadata.labels.version)).toEqual(['v1', 'v2', 'v3', 'dev']);
  });

  test('every Deployment of reviews has the same volumes, mounts, probes, ports and ServiceAccount', () => {
    const [first, ...rest] = reviewsDeployments.map(shared);
    for (const other of rest) expect(other).toEqual(first);
    expect(first.serviceAccount).toBe('bookinfo-reviews');
    expect(first.mounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/opt/ol/wlp/output', name: 'opt-ol-wlp-output' },
      { mountPath: '/config/extra', name: 'configmap-reviews-config', readOnly: true },
    ]);
    expect(first.readiness.httpGet).toMatchObject({ path: '/health', port: 9080 });
    expect(first.liveness.tcpSocket).toEqual({ port: 9080 });
  });

  test('versions and the lane differ only in image, env, replicas and resources', () => {
    const byName = Object.fromEntries(reviewsDeployments.map((d) => [d.metadata.name, d]));
    expect(container(byName['reviews-v2']).image).toBe(`${REVIEWS}-v2:1.20.1`);
    expect(byName['reviews-v3'].spec.replicas).toBe(2);
    expect(container(byName['reviews-v3']).env).toEqual([
      { name: 'LOG_DIR', value: '/tmp/logs' }, { name: 'STAR_COLOR', value: 'red' }, { name: 'GRAY_RELEASE_PROPAGATE_HEADERS', value: 'x-lane' },
    ]);
    expect(container(byName['reviews-dev']).resources.requests.cpu).toBe('50m');
    expect(container(byName['reviews-v1']).resources.requests.cpu).toBe('100m');
    for (const d of reviewsDeployments) expect(d.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
  });

  test('each service has its own identity; versions and lanes keep their service\'s', () => {
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount').map((o) => [o.metadata.name, o.automountServiceAccountToken]);
    expect(accounts).toEqual([['bookinfo-reviews', false], ['productpage', false]]);
    expect(deploymentsOf(objects, 'productpage').map((d) => pod(d).serviceAccountName)).toEqual(['productpage']);
    expect(reviews.serviceAccountName).toBe('bookinfo-reviews');
  });
});

describe('onEachWorkload reaches every Deployment of the service, present and future', () => {
  const c = chart();
  const svc = new GrayService(c, 'shop', { image: 'example/shop:1.0', port: 8080 });
  svc._addVersion({ name: 'v2' });
  const seen: WorkloadInfo[] = [];
  svc.onEachWorkload((deployment, info) => {
    seen.push(info);
    const cache = kplus.Volume.fromEmptyDir(deployment, 'cache', 'cache');
    deployment.containers[0].mount('/var/cache/shop', cache);
    deployment.containers[0].addPort({ number: 9090, name: 'metrics' });
  });
  // Added after the call: must get the change as well.
  new TrafficLane(c, 'lane', { name: 'dev', header: 'x-lane' }).addMember(svc);
  svc._addVersion({ name: 'v3' });
  const deployments = deploymentsOf(Testing.synth(c), 'shop');

  test('the change made through the hook is on every Deployment, lane Deployments added later included', () => {
    expect(deployments.map((d) => d.metadata.name)).toEqual(['shop-base', 'shop-v2', 'shop-dev', 'shop-v3']);
    for (const d of deployments) {
      expect({ name: d.metadata.name, volumes: pod(d).volumes.map((v: any) => v.name) }).toEqual({ name: d.metadata.name, volumes: ['tmp', 'cache'] });
      expect(container(d).volumeMounts).toContainEqual({ mountPath: '/var/cache/shop', name: 'cache' });
      expect(container(d).ports).toContainEqual({ containerPort: 9090, name: 'metrics' });
    }
  });

  test('the hook learns which workload each Deployment is', () => {
    expect(seen.map((i) => [i.name, i.role, i.version])).toEqual([
      ['shop-base', WorkloadRole.VERSION, 'base'], ['shop-v2', WorkloadRole.VERSION, 'v2'], ['shop-dev', WorkloadRole.LANE, 'dev'], ['shop-v3', WorkloadRole.VERSION, 'v3'],
    ]);
  });
});

test('a change made to service.deployment alone is reported at synth with the onEachWorkload fix', () => {
  // GIVEN the bug of the issue: an emptyDir added to the base Deployment through cdk8s-plus
  const c = chart();
  const svc = new GrayService(c, 'shop', { image: 'example/shop:1.0', port: 8080 });
  svc.deployment.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(c, 'cache', 'cache'));
  new TrafficLane(c, 'lane', { name: 'dev', header: 'x-lane' }).addMember(svc);
  // THEN synth refuses, naming the lane Deployment, the field and the fix
  expect(() => Testing.synth(c)).toThrow(/shop-dev differs from shop-base in volumes.*onEachWorkload/s);
});

describe('probes: HTTP, TCP and command from cdk8s-plus, gRPC as a typed addition', () => {
  const c = chart();
  new GrayService(c, 'cart', {
    image: 'example/cart:1.0',
    port: 9090,
    readiness: GrpcProbe.onPort(9090, { service: 'shop.Cart' }),
    liveness: kplus.Probe.fromCommand(['/bin/health']),
    startup: GrpcProbe.onPort(9090, { failureThreshold: 30 }),
  });
  const c0 = container(Testing.synth(c).find((o) => o.kind === 'Deployment'));

  test('gRPC probes replace the container fields; the command probe is cdk8s-plus\'s', () => {
    expect(c0.readinessProbe).toEqual({ grpc: { port: 9090, service: 'shop.Cart' } });
    expect(c0.startupProbe).toEqual({ grpc: { port: 9090 }, failureThreshold: 30 });
    expect(c0.livenessProbe.exec).toEqual({ command: ['/bin/health'] });
  });
});

describe('volumes, writable paths, envFrom, scheduling', () => {
  const c = chart();
  const secret = new kplus.Secret(c, 'creds', { metadata: { name: 'creds' } });
  const claim = kplus.PersistentVolumeClaim.fromClaimName(c, 'claim', 'data');
  new GrayService(c, 'db', {
    image: 'example/db:1.0',
    port: 5432,
    envFrom: [kplus.Env.fromSecret(secret)],
    volumes: [
      { path: '/tmp', volume: kplus.Volume.fromEmptyDir(c, 'scratch', 'scratch', { medium: kplus.EmptyDirMedium.MEMORY }) },
      { path: '/var/lib/db', volume: kplus.Volume.fromPersistentVolumeClaim(c, 'data', claim) },
      { path: '/etc/creds', volume: kplus.Volume.fromSecret(c, 'secret', secret), readOnly: true },
    ],
    scheduling: {
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerate: [kplus.Node.tainted(kplus.NodeTaintQuery.is('dedicated', 'db'))],
      attract: [{ node: kplus.Node.labeled(kplus.NodeLabelQuery.is('disktype', 'ssd')), weight: 50 }],
      topologySpread: [{ topology: kplus.Topology.ZONE }],
    },
  });
  const d = Testing.synth(c).find((o) => o.kind === 'Deployment');

  test('a volume mounted at /tmp replaces the default writable emptyDir; PVC and Secret mount', () => {
    expect(container(d).volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/lib/db', '/etc/creds']);
    expect(pod(d).volumes.map((v: any) => v.name)).toEqual(['scratch', 'pvc-data', 'secret-creds']);
    expect(container(d).envFrom).toEqual([{ secretRef: { name: 'creds' } }]);
  });

  test('scheduling: nodeSelector, tolerations, node affinity, and a spread over the workload\'s own pods', () => {
    const spec = pod(d);
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(spec.tolerations).toEqual([{ key: 'dedicated', value: 'db', operator: 'Equal' }]);
    expect(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(50);
    expect(spec.topologySpreadConstraints).toEqual([{
      topologyKey: 'topology.kubernetes.io/zone',
      maxSkew: 1,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app': 'db', 'gray-release.io/workload': 'db-base', 'version': 'base' } },
    }]);
  });
});

test('an existing ServiceAccount is used without writing one', () => {
  const c = chart();
  const svc = new GrayService(c, 'shop', { image: 'example/shop:1.0', port: 8080, serviceAccount: { name: 'shop-runtime', create: false } });
  const objects = Testing.synth(c);
  expect(objects.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
  expect(pod(objects.find((o) => o.kind === 'Deployment')).serviceAccountName).toBe('shop-runtime');
  expect(svc.serviceAccountName).toBe('shop-runtime');
});

test('listing /tmp in writablePaths mounts it once; a version name must make a Deployment name', () => {
  const c = chart();
  const svc = new GrayService(c, 'shop', { image: 'example/shop:1.0', port: 8080, writablePaths: ['/tmp', '/var/run/shop'] });
  expect(() => svc._addVersion({ name: 'V_2' })).toThrow(/versions\[V_2\]\.name: "shop-V_2" is not a DNS-1123 label/);
  const d = Testing.synth(c).find((o) => o.kind === 'Deployment');
  expect(container(d).volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }, { mountPath: '/var/run/shop', name: 'var-run-shop' }]);
});
