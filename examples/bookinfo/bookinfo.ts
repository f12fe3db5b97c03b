/**
 * Istio's Bookinfo sample application with the library's high-level API: productpage calls
 * details and reviews, reviews (v1, v2, v3) calls ratings. Services, ports, images and versions
 * follow istio/istio@1.23.6 samples/bookinfo/platform/kube/bookinfo.yaml; each Istio task in
 * main.ts adds its routing through the props of one or two services.
 */
import { EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GrayService, GrayServiceProps, IstioApiVersion } from '../../src';

/** The images of the sample (tag 1.20.1, as in Istio 1.23.6). */
export const IMAGES = {
  productpage: 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.1',
  details: 'docker.io/istio/examples-bookinfo-details-v1:1.20.1',
  ratings: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.1',
  reviewsV1: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.1',
  reviewsV2: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.1',
  reviewsV3: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.1',
} as const;

/** Every Bookinfo service listens on 9080 (port name `http`). */
export const PORT = 9080;

/** The routing props a task gives one service (versions, routes, policies, ports). */
export type ServiceRouting = Pick<GrayServiceProps, 'defaultRoute' | 'routes' | 'routePolicy' | 'trafficPolicy'>;

/** What a task changes in the sample. */
export interface BookinfoOptions {
  readonly productpage?: ServiceRouting;
  readonly details?: ServiceRouting;
  readonly reviews?: ServiceRouting;
  readonly ratings?: ServiceRouting;
}

/** The four services of Bookinfo. */
export class Bookinfo extends Construct {
  public readonly productpage: GrayService;
  public readonly details: GrayService;
  public readonly reviews: GrayService;
  public readonly ratings: GrayService;

  public constructor(scope: Construct, id: string, options: BookinfoOptions = {}) {
    super(scope, id);
    // The images run as numeric non-root users (1000; reviews 1001) and write to /tmp, which the
    // secure defaults (read-only root filesystem) keep writable.
    const common = (service: string): Partial<GrayServiceProps> => ({
      port: PORT,
      istioApiVersion: IstioApiVersion.V1,
      serviceAccount: { name: `bookinfo-${service}` },
    });
    this.ratings = new GrayService(this, 'ratings', {
      ...common('ratings'),
      image: IMAGES.ratings,
      versions: [{ name: 'v1' }],
      ...options.ratings,
    });
    this.reviews = new GrayService(this, 'reviews', {
      ...common('reviews'),
      image: IMAGES.reviewsV1,
      env: { LOG_DIR: EnvValue.fromValue('/tmp/logs') },
      // Open Liberty's output directory (bookinfo.yaml mounts /opt/ibm/wlp/output, a leftover of
      // the WebSphere base image that covers nothing in the open-liberty image).
      writablePaths: ['/opt/ol/wlp/output'],
      versions: [{ name: 'v1' }, { name: 'v2', image: IMAGES.reviewsV2 }, { name: 'v3', image: IMAGES.reviewsV3 }],
      calls: [this.ratings],
      ...options.reviews,
    });
    this.details = new GrayService(this, 'details', {
      ...common('details'),
      image: IMAGES.details,
      versions: [{ name: 'v1' }],
      ...options.details,
    });
    this.productpage = new GrayService(this, 'productpage', {
      ...common('productpage'),
      image: IMAGES.productpage,
      versions: [{ name: 'v1' }],
      calls: [this.details, this.reviews],
      ...options.productpage,
    });
  }
}
