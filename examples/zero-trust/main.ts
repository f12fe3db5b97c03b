/**
 * Lane entry you can trust, and zero trust from the call graph: a shop behind an ingress gateway,
 *
 *   shop.example.com ──► web ──► catalog
 *                          └───► checkout ──► payment ──► api.payments.example.com (outside)
 *
 * with one static lane `beta` (web and checkout have a beta version) that requests enter only by
 * what the client cannot choose:
 *
 * - a verified JWT claim: tokens of the shop's identity provider whose `groups` contain `beta`
 *   (a JwtIssuer: RequestAuthentication on the gateway pods);
 * - the source address: the office network, as the gateway's TCP peer sees it;
 * - a sticky cohort: 5% of signed-in users, by a hash of their verified `sub`, so each user stays
 *   in the lane from one request to the next.
 *
 * ZeroTrust writes an AuthorizationPolicy per service allowing exactly its declared callers (and
 * the gateway for web), plus STRICT mutual TLS; ProxyScoping writes a Sidecar per service whose
 * egress hosts are its calls, with REGISTRY_ONLY so an undeclared call fails instead of
 * bypassing the lanes.
 *
 *   npx cdk8s synth            # in this folder, or `npm run synth` at the top
 */
import { App, Chart, ChartProps } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ColoringRule, GrayService, IngressGateway, JwtIssuer, OutboundTrafficPolicy, PeerAuthenticationMode, ProxyScoping, TrafficColoring, TrafficLane,
  UserKey, ZeroTrust,
} from '../../src';

const REGISTRY = 'registry.example.com/shop';
/** The header that carries the lane. */
export const LANE_HEADER = 'x-shop-lane';
/** The identity provider whose tokens the gateway verifies. */
export const ISSUER = 'https://login.example.com';
/** The office network. */
export const OFFICE = ['198.51.100.0/24', '2001:db8:100::/48'];
/** Share of signed-in users in the beta cohort. */
export const BETA_COHORT_PERCENT = 5;
/** The payment provider outside the mesh (a ServiceEntry in the platform's config). */
export const PAYMENT_API = 'api.payments.example.com';

export class ZeroTrustChart extends Chart {
  public readonly gateway: IngressGateway;
  public readonly issuer: JwtIssuer;
  public readonly coloring: TrafficColoring;
  public readonly beta: TrafficLane;
  public readonly web: GrayService;

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, namespace: 'shop', ...props });

    // Chart-wide, and order-independent: they cover the services created below.
    new ZeroTrust(this, 'ZeroTrust', { peerAuthentication: PeerAuthenticationMode.STRICT });
    new ProxyScoping(this, 'ProxyScoping', { externalHosts: [PAYMENT_API], outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY });

    this.gateway = new IngressGateway(this, 'Gateway', { name: 'shop-gateway', hosts: ['shop.example.com'] });
    this.issuer = new JwtIssuer(this, 'Login', { name: 'shop-login', gateway: this.gateway, issuer: ISSUER, jwksUri: `${ISSUER}/.well-known/jwks.json`, audiences: ['shop'] });

    const payment = new GrayService(this, 'payment', {
      image: `${REGISTRY}/payment:4.2.0`, port: 8080,
      env: { PROVIDER_URL: EnvValue.fromValue(`https://${PAYMENT_API}/v2`) },
      calls: [PAYMENT_API],
    });
    const checkout = new GrayService(this, 'checkout', {
      image: `${REGISTRY}/checkout:2.7.1`, port: 8080,
      env: { PAYMENT_URL: EnvValue.fromValue('http://payment:8080') },
      calls: [payment],
    });
    const catalog = new GrayService(this, 'catalog', { image: `${REGISTRY}/catalog:1.9.0`, port: 8080 });
    this.web = new GrayService(this, 'web', {
      image: `${REGISTRY}/web:5.0.3`, port: 8080, gateway: this.gateway,
      env: { CATALOG_URL: EnvValue.fromValue('http://catalog:8080'), CHECKOUT_URL: EnvValue.fromValue('http://checkout:8080') },
      calls: [catalog, checkout],
    });

    this.beta = new TrafficLane(this, 'BetaLane', { name: 'beta', header: LANE_HEADER });
    this.beta.addMember(this.web, { image: `${REGISTRY}/web:5.1.0-beta.2` });
    this.beta.addMember(checkout, { image: `${REGISTRY}/checkout:2.8.0-beta.1` });

    // Entry only by what the client cannot choose: a verified claim, the office network.
    this.coloring = new TrafficColoring(this, 'Coloring', {
      name: 'shop-lane-coloring',
      gateway: this.gateway,
      header: LANE_HEADER,
      rules: [
        ColoringRule.jwtClaim(this.issuer, 'groups', 'beta', 'beta'),
        ColoringRule.sourceAddress(OFFICE, 'beta'),
      ],
    });
    this.beta.enterByColoring(this.coloring);
    // And a sticky 5% of signed-in users: a cohort rule of the same coloring, by verified `sub`.
    this.beta.enterByWeight(this.web, BETA_COHORT_PERCENT, { stickyBy: UserKey.jwtClaim(this.issuer, 'sub') });
  }
}

/** Builds the example's apps (not synthesized); `npm run synth` writes them to `outdir`. */
export function build(outdir: string): App[] {
  const app = new App({ outdir });
  new ZeroTrustChart(app, 'zero-trust');
  return [app];
}

if (require.main === module) {
  build(process.env.CDK8S_OUTDIR ?? 'dist').forEach((a) => a.synth());
}
