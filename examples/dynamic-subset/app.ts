/**
 * The seed's helloworld application: hashicorp/http-echo in two stages (dev: v1, v2, v3;
 * prod: v2, v3 with two replicas of prod-v3), the `helloworld` Service (8000 → 5678), and the
 * `sleep` client with its ServiceAccount.
 */
import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** The uid the pods run as (the nonroot user of distroless images). */
const NONROOT_UID = 65532;

/** The seed's stages and versions; replicas as in the document. */
export const HELLOWORLD_WORKLOADS = [
  { stage: 'dev', version: 'v1', replicas: 1 },
  { stage: 'dev', version: 'v2', replicas: 1 },
  { stage: 'dev', version: 'v3', replicas: 1 },
  { stage: 'prod', version: 'v2', replicas: 1 },
  { stage: 'prod', version: 'v3', replicas: 2 },
] as const;

export const SERVICE = { name: 'helloworld', namespace: 'default', port: 8000, targetPort: 5678 } as const;

const resources: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
};

/** The application chart: five helloworld Deployments, the Service, and the sleep client. */
export class HelloworldApp extends Chart {
  /** The helloworld Deployments, in the order of {@link HELLOWORLD_WORKLOADS}. */
  public readonly deployments: kplus.Deployment[];

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: SERVICE.namespace, disableResourceNameHashes: true, ...props });

    this.deployments = HELLOWORLD_WORKLOADS.map(({ stage, version, replicas }) => {
      const labels = { app: 'helloworld', version, stage };
      const name = `helloworld-${stage}-${version}`;
      const deployment = new kplus.Deployment(this, name, {
        metadata: { name, labels },
        podMetadata: { labels },
        select: false,
        replicas,
        securityContext: { user: NONROOT_UID, group: NONROOT_UID },
      });
      deployment.select(kplus.LabelSelector.of({ labels }));
      deployment.addContainer({
        name: 'helloworld',
        image: 'hashicorp/http-echo:0.2.3',
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['/http-echo'],
        args: ['-text', 'Welcome to helloworld stage: $(STAGE), version: $(VERSION), ip: $(PODIP)'],
        envVariables: {
          PODIP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
          STAGE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: 'stage' }),
          VERSION: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: 'version' }),
        },
        ports: [{ number: SERVICE.targetPort }],
        resources,
      });
      return deployment;
    });

    const service = new kplus.Service(this, 'helloworld', {
      metadata: { name: SERVICE.name, labels: { app: 'helloworld', service: 'helloworld' } },
      ports: [{ port: SERVICE.port, name: 'http', targetPort: SERVICE.targetPort }],
    });
    service.selectLabel('app', 'helloworld');

    const account = new kplus.ServiceAccount(this, 'sleep-account', { metadata: { name: 'sleep' } });
    const sleep = new kplus.Deployment(this, 'sleep', {
      metadata: { name: 'sleep' },
      podMetadata: { labels: { app: 'sleep' } },
      select: false,
      replicas: 1,
      serviceAccount: account,
      terminationGracePeriod: Duration.seconds(0),
      securityContext: { user: NONROOT_UID, group: NONROOT_UID },
    });
    sleep.select(kplus.LabelSelector.of({ labels: { app: 'sleep' } }));
    const secret = kplus.Secret.fromSecretName(this, 'sleep-secret', 'sleep-secret');
    sleep.addContainer({
      name: 'sleep',
      image: 'curlimages/curl',
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/bin/sleep', 'infinity'],
      resources,
      volumeMounts: [{
        path: '/etc/sleep/tls',
        volume: kplus.Volume.fromSecret(this, 'secret-volume', secret, { name: 'secret-volume', optional: true }),
      }],
    });
  }
}
