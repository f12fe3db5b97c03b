/**
 * A canary release of one service, routed by Kruise step by step (`Release.canary`: the
 * Rollout's own trafficRoutings): `frontend → cart` behind an ingress gateway, where `cart` is
 * released
 *
 *   1. to requests with `x-canary: true` only (one canary pod; Kruise tags them `x-canary-release: cart`),
 *   2. then 20% of all requests (20% of the pods), for ten minutes,
 *   3. then 50% (50% of the pods), for ten minutes,
 *   4. then 100%, until approved.
 *
 * Kruise routes each step only once that step's canary pods are ready, to the Service
 * `cart-canary` it creates. `frontend` forwards `x-canary` (checked at synth). The same release
 * goes to two clusters through an Argo CD ApplicationSet.
 *
 *   npx cdk8s synth            # in this folder, or `npm run synth` at the top
 */
import * as path from 'path';
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  applySyncWaves, ArgoCdApplicationSet, CanaryStep, ClusterGenerator, GrayService, IngressGateway, KruiseApiVersion, Pause, Release,
} from '../../src';

const REGISTRY = 'registry.example.com/shop';
/** The header that sends a request to cart's canary at step 1. */
export const CANARY_HEADER = 'x-canary';

/** The steps: header only → 20% → 50% → 100%. */
export const CART_STEPS: readonly CanaryStep[] = [
  CanaryStep.match([{ name: CANARY_HEADER, value: 'true' }], { replicas: 1, requestHeaderModifier: { set: { 'x-canary-release': 'cart' } } }),
  CanaryStep.traffic(20, { pause: Pause.for(Duration.minutes(10)) }),
  CanaryStep.traffic(50, { pause: Pause.for(Duration.minutes(10)) }),
  CanaryStep.traffic(100),
];

export class CanaryReleaseChart extends Chart {
  public readonly frontend: GrayService;
  public readonly cart: GrayService;

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, namespace: 'shop', ...props });
    const gateway = new IngressGateway(this, 'Gateway', { name: 'shop-gateway', hosts: ['shop.example.com'] });

    this.cart = new GrayService(this, 'cart', {
      image: `${REGISTRY}/cart:2.1.0`,
      port: 8080,
      replicas: 4,
      release: Release.canary({ apiVersion: KruiseApiVersion.V1BETA1, steps: CART_STEPS }),
    });
    this.frontend = new GrayService(this, 'frontend', {
      image: `${REGISTRY}/frontend:3.0.2`,
      port: 8080,
      env: { CART_URL: EnvValue.fromValue('http://cart:8080') },
      calls: [this.cart],
      gateway,
    });
    // Step 1 matches x-canary at cart: frontend must copy it to its calls (checked at synth).
    this.frontend.propagateHeader(CANARY_HEADER);
    // No ingress coloring sets x-canary, so lint reports that only clients sending it reach the
    // canary at step 1 (GR016). That is the intent: the annotation says so where a reviewer reads it.
    this.cart.ignoreLint('GR016', 'step 1 is for testers, who send x-canary themselves (from step 2 on the release is by weight)');
  }
}

/** Where the example's manifests live in git (what the ApplicationSet reads). */
export const REPO_URL = 'https://github.com/example/cdk8s-gray-release.git';
/** The two clusters the release goes to (registered in Argo CD). */
export const CLUSTERS = [
  { name: 'prod-eu', server: 'https://prod-eu.example.com:6443' },
  { name: 'prod-us', server: 'https://prod-us.example.com:6443' },
] as const;

/**
 * Builds the example's apps (not synthesized): the release (with sync waves) to `outdir`, and
 * the ApplicationSet that deploys it to both clusters to `outdir/argocd/`, a folder Argo CD does
 * not read from `outdir`.
 */
export function build(outdir: string): App[] {
  const app = new App({ outdir });
  const chart = new CanaryReleaseChart(app, 'canary-release');
  applySyncWaves(chart);

  const argocd = new App({ outdir: path.join(outdir, 'argocd') });
  new ArgoCdApplicationSet(new Chart(argocd, 'applicationset', { disableResourceNameHashes: true }), 'canary-release', {
    repoURL: REPO_URL,
    path: 'dist/canary-release',
    charts: [chart],
    clusters: ClusterGenerator.list(CLUSTERS),
  });
  return [app, argocd];
}

if (require.main === module) {
  build(process.env.CDK8S_OUTDIR ?? 'dist').forEach((a) => a.synth());
}
