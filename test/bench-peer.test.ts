/**
 * The benchmark's peer (bench/peer.ts, the mesh written by hand with cdk8s-plus and ApiObjects)
 * writes exactly what the library writes, so `ours / peer` in BENCHMARKS.md compares equal
 * outputs. run.ts checks it at every benchmarked N; this checks it at small N with every test run.
 */
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { objectDifferences } from '../bench/compare';
import { buildMesh } from '../bench/mesh';
import { buildPeer } from '../bench/peer';

const OUT = path.join(os.tmpdir(), 'gray-release-bench-peer-test');
const objects = (yaml: string): any[] => YAML.parseAllDocuments(yaml).map((d) => d.toJS()).filter((o) => o);

describe('the benchmark peer', () => {
  test.each([10, 25])('writes the same YAML as the library, byte for byte, at N = %i', (n) => {
    const ours = buildMesh(n, OUT).app.synthYaml();
    const peer = buildPeer(n, OUT).app.synthYaml();
    expect(objectDifferences(objects(ours), objects(peer))).toEqual([]);
    expect(peer).toBe(ours);
  });

  test('the comparison names a differing field and a missing object', () => {
    const ours = objects(buildMesh(10, OUT).app.synthYaml());
    const peer = objects(buildPeer(10, OUT).app.synthYaml());
    const i = peer.findIndex((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-svc-9');
    peer[i].spec.http[0].route[0].destination.subset = 'other';
    expect(objectDifferences(ours, peer)).toEqual([`object ${i} (ours VirtualService/mesh/vs-svc-9, peer VirtualService/mesh/vs-svc-9) differs at .spec.http.0.route.0.destination.subset ("version-base" vs "other")`]);
    expect(objectDifferences(ours, peer.slice(1))[0]).toBe(`ours has ${ours.length} objects, the peer ${ours.length - 1}`);
  });
});
