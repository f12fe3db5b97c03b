/**
 * The seed's full-link gray release: mocka -> mockb behind an Istio ingress gateway, each
 * released by an OpenKruise Rollout whose TrafficRouting sends `my-request-id: canary`
 * requests to the canary version.
 *
 *   npx cdk8s synth            # in this folder, or `npm run synth` at the top
 */
import * as path from 'path';
import { App, Chart, ChartProps } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { applySyncWaves, ArgoCdApplication, ColoringRule, GrayService, HeaderMatchType, IngressGateway, TrafficColoring } from '../../src';

const IMAGE = 'registry.cn-beijing.aliyuncs.com/aliacs-app-catalog/go-http-sample:1.0';
/**
 * go-http-sample's Dockerfile and USER are not published: it may run as root, which
 * runAsNonRoot refuses to start. An explicit non-root uid starts it either way.
 */
const RUN_AS = { user: 65532, group: 65532 };
/** The header whose value `canary` puts a request in the canary lane (the seed's). */
export const LANE_HEADER = 'my-request-id';

export class FullLinkGrayChart extends Chart {
  public readonly mocka: GrayService;
  public readonly mockb: GrayService;

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, ...props });

    const gateway = new IngressGateway(this, 'Gateway', {
      name: 'sample-gateway',
      hosts: ['*'],
      allowAnyHost: true, // the seed accepts any host; list real hosts in production
    });

    const canaryMatch = [{ name: LANE_HEADER, value: 'canary', type: HeaderMatchType.EXACT }];

    this.mockb = new GrayService(this, 'mockb', {
      image: IMAGE,
      port: 8000,
      env: { version: EnvValue.fromValue('base'), app: EnvValue.fromValue('mockb') },
      imagePullPolicy: undefined,
      securityContext: RUN_AS,
      // Take over the seed's running Deployment: same name (mockb-base), same selector.
      adopt: { selector: { app: 'mockb' } },
      release: { matches: canaryMatch },
      names: { rollout: 'rollouts-b' },
    });

    this.mocka = new GrayService(this, 'mocka', {
      image: IMAGE,
      port: 8000,
      env: {
        version: EnvValue.fromValue('base'),
        app: EnvValue.fromValue('mocka'),
        upstream_url: EnvValue.fromValue('http://mockb:8000/'),
      },
      calls: [this.mockb],
      gateway,
      securityContext: RUN_AS,
      adopt: { selector: { app: 'mocka' } },
      release: { matches: canaryMatch },
      // The seed's gateway VirtualService is `vs-mocka`; our mesh one needs another name.
      names: { rollout: 'rollouts-a', gatewayVirtualService: 'vs-mocka', virtualService: 'vs-mocka-mesh' },
    });
    // The seed's ingress coloring: `agent: pc` joins the canary lane, everything else `base`.
    // Unlike the seed's `headers:add`, a lane header sent by the client is replaced.
    new TrafficColoring(this, 'Coloring', {
      name: 'http-request-labelling-according-source',
      header: LANE_HEADER,
      rules: [ColoringRule.headerEquals('agent', 'pc', 'canary')],
      defaultValue: 'base',
      gatewaySelector: { app: 'istio-ingressgateway' },
    });

    // mocka forwards the lane header to mockb (the seed's application keeps only this header).
    this.mocka.propagateHeader(LANE_HEADER);
    this.mockb.propagateHeader(LANE_HEADER);
  }
}

/** Where the example's manifests live in git (what the Argo CD Application reads). */
export const REPO_URL = 'https://github.com/example/cdk8s-gray-release.git';

/**
 * Builds the example's apps (not synthesized); `npm run synth` writes them to `outdir`:
 * the release's objects (with Argo CD sync waves) to `outdir`, and the Argo CD Application
 * that syncs them to `outdir/argocd/`, a folder Argo CD does not read (no recursion), so the
 * Application is not applied by itself.
 */
export function build(outdir: string): App[] {
  const app = new App({ outdir });
  const chart = new FullLinkGrayChart(app, 'full-link-gray');
  applySyncWaves(chart);

  const argocd = new App({ outdir: path.join(outdir, 'argocd') });
  const argocdChart = new Chart(argocd, 'application', { disableResourceNameHashes: true });
  new ArgoCdApplication(argocdChart, 'full-link-gray', {
    repoURL: REPO_URL,
    path: 'dist/full-link-gray',
    destination: { namespace: 'default' },
    charts: [chart],
  });
  return [app, argocd];
}

if (require.main === module) {
  build(process.env.CDK8S_OUTDIR ?? 'dist').forEach((a) => a.synth());
}
