import * as path from 'path';
import { Manifest, loadManifests } from '../../src/analysis';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Loads fixture files or directories relative to test/fixtures. */
export function fixture(...names: string[]): Manifest[] {
  return loadManifests(names.map((n) => path.join(FIXTURES, n)));
}

/** The workload names reached by the first destination of each hop along the first branch. */
export function chain(hops: any[]): string[][] {
  const out: string[][] = [];
  let hop = hops[0];
  while (hop) {
    const d = hop.destinations[0];
    out.push(d ? (d.status ? [`${d.status}`] : d.workloads.map((w: any) => w.name)) : [`${hop.status}`]);
    hop = d?.workloads[0]?.calls[0];
  }
  return out;
}

/** Bookinfo's reviews Service in namespace shop (port 9080), for hand-written manifest tests. */
export const REVIEWS_SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'shop' }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] } };

/** A reviews Deployment `reviews-<version>` in namespace shop whose pods carry `version: <version>`. */
export const reviewsDeployment = (version: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `reviews-${version}`, namespace: 'shop' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'reviews', version } }, template: { metadata: { labels: { app: 'reviews', version } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
});
