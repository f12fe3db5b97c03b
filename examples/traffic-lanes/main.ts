/**
 * Static traffic lanes on plain Istio: a three-service chain frontend -> cart -> payment behind
 * an ingress gateway, with two lanes carried by one header:
 *
 * - `canary` (my-request-id: canary): frontend, cart and payment each have a canary version;
 *   10% of the gateway traffic that carries no lane header enters this lane at frontend.
 * - `dev-alice` (my-request-id: dev-alice): Alice's versions of frontend and payment; cart has
 *   none, so her requests reach cart's base version, which passes the header on to payment.
 *
 * Requests enter a lane at the ingress by rule (the gateway's Lua coloring, bound to the gateway:
 * Alice's cookie or her user header puts her in `dev-alice`, beta testers' agent in `canary`) or
 * by weight. These rules are client-chosen (anyone can send the cookie or header), which is
 * acknowledged for these lanes; examples/zero-trust enters lanes by verified identity instead.
 *
 *   npx cdk8s synth            # in this folder, or `npm run synth` at the top
 */
import { App, Chart, ChartProps } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ColoringRule, GrayService, IngressGateway, LaneMode, TrafficColoring, TrafficLane } from '../../src';

const REGISTRY = 'registry.example.com/shop';
/** The header that carries the lane (the seed's). */
export const LANE_HEADER = 'my-request-id';
/** Share of the gateway's lane-less traffic sent into the canary lane. */
export const CANARY_ENTRY_PERCENT = 10;

export class TrafficLanesChart extends Chart {
  public readonly frontend: GrayService;
  public readonly cart: GrayService;
  public readonly payment: GrayService;
  public readonly canary: TrafficLane;
  public readonly devAlice: TrafficLane;
  public readonly coloring: TrafficColoring;

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, namespace: 'shop', ...props });

    const gateway = new IngressGateway(this, 'Gateway', { name: 'shop-gateway', hosts: ['shop.example.com'] });

    this.payment = new GrayService(this, 'payment', {
      image: `${REGISTRY}/payment:1.4.0`,
      port: 8080,
    });
    this.cart = new GrayService(this, 'cart', {
      image: `${REGISTRY}/cart:2.1.0`,
      port: 8080,
      env: { PAYMENT_URL: EnvValue.fromValue('http://payment:8080') },
      calls: [this.payment],
    });
    this.frontend = new GrayService(this, 'frontend', {
      image: `${REGISTRY}/frontend:3.0.2`,
      port: 8080,
      env: { CART_URL: EnvValue.fromValue('http://cart:8080') },
      calls: [this.cart],
      gateway,
    });

    // The canary lane: a new version of every service of the chain.
    this.canary = new TrafficLane(this, 'CanaryLane', { name: 'canary', header: LANE_HEADER, mode: LaneMode.STATIC });
    this.canary.addMember(this.frontend, { image: `${REGISTRY}/frontend:3.1.0-rc.1` });
    this.canary.addMember(this.cart, { image: `${REGISTRY}/cart:2.2.0-rc.1` });
    this.canary.addMember(this.payment, { image: `${REGISTRY}/payment:1.5.0-rc.1` });
    this.canary.enterByWeight(this.frontend, CANARY_ENTRY_PERCENT);

    // Alice's lane: her frontend and payment; cart only passes the header on.
    this.devAlice = new TrafficLane(this, 'DevAliceLane', { name: 'dev-alice', header: LANE_HEADER, services: [this.cart] });
    this.devAlice.addMember(this.frontend, { image: `${REGISTRY}/frontend:alice-7f3c2e1`, env: { LOG_LEVEL: EnvValue.fromValue('debug') } });
    this.devAlice.addMember(this.payment, { image: `${REGISTRY}/payment:alice-7f3c2e1`, env: { LOG_LEVEL: EnvValue.fromValue('debug') } });

    // Lane entry by rule at the ingress, scoped to the gateway's port and hosts. No default value:
    // a request that matches no rule has its (possibly spoofed) lane header removed, and then
    // takes the weighted entry above.
    this.coloring = new TrafficColoring(this, 'Coloring', {
      name: 'shop-lane-coloring',
      gateway,
      header: LANE_HEADER,
      rules: [
        ColoringRule.clientCookieEquals('lane', 'dev-alice', 'dev-alice'),
        ColoringRule.clientHeaderEquals('x-user', 'alice', 'dev-alice'),
        ColoringRule.clientHeaderPrefix('user-agent', 'ShopBeta/', 'canary'),
      ],
      acknowledgeClientChosenEntry: 'dev-alice runs Alice\'s builds on test data; beta testers opt in by their app',
    });
    this.devAlice.enterByColoring(this.coloring);
    this.canary.enterByColoring(this.coloring);
  }
}

/** Builds the example's apps (not synthesized); `npm run synth` writes them to `outdir`. */
export function build(outdir: string): App[] {
  const app = new App({ outdir });
  new TrafficLanesChart(app, 'traffic-lanes');
  return [app];
}

if (require.main === module) {
  build(process.env.CDK8S_OUTDIR ?? 'dist').forEach((a) => a.synth());
}
