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
