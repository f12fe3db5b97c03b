/**
 * `explain --release SERVICE --step N`: the mesh at one step of a Kruise release (the Kruise
 * model's step simulation), with what requests meet until the step's canary pods are ready.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { fixture } from './helpers';
import { explain, Manifest } from '../../src/analysis';
import { main } from '../../src/cli/main';
import { releaseStep } from '../../src/cli/release-step';
import { synthExample } from '../support/examples';

const canary: Manifest[] = synthExample('canary-release').find((a) => a.target === '')!.objects;
const cartBranches = (m: Manifest[], headers: Record<string, string> = {}) => {
  const frontend = explain(m, { gateway: true, host: 'shop.example.com' }, { headers }).hops[0].destinations[0].workloads[0];
  return frontend.calls[0].destinations.map((d) => [d.service, Math.round(d.share * 100)]);
};

describe('a canary release (Release.canary): each step\'s routing, applied once its canary pods are ready', () => {
  test('step 1 sends x-canary: true to cart-canary; others stay on cart', () => {
    const s = releaseStep(canary, 'cart', 1);
    expect(s.title).toMatch(/^step 1 of 4 of the release of cart .*canary release\): requests matching the step's headers go to the canary; then waits for approval$/);
    expect(s.notes[0]).toMatch(/until this step's canary pods are ready: no canary routing yet/);
    expect(cartBranches(s.manifests, { 'x-canary': 'true' })).toEqual([['cart-canary.shop', 100]]);
    expect(cartBranches(s.manifests)).toEqual([['cart.shop', 100]]);
  });

  test('step 2 splits 80/20; until its pods are ready, step 1\'s routing holds', () => {
    const s = releaseStep(canary, 'cart', 2);
    expect(s.title).toContain('20% of requests go to the canary; then waits 600 s');
    expect(s.notes[0]).toContain('step 1\'s routing (header matches) until this step\'s canary pods are ready');
    expect(cartBranches(s.manifests)).toEqual([['cart.shop', 80], ['cart-canary.shop', 20]]);
  });
});

test('a lane release (TrafficRouting): routed as soon as the release starts, 503 until the canary pods are ready', () => {
  const s = releaseStep(fixture('full-link-gray'), 'mockb', 1);
  expect(s.title).toContain('lanes release');
  expect(s.notes[0]).toMatch(/^until this step's canary pods are ready: 503 \(no healthy upstream\)/);
});

test('gray-release explain --release S --step N prints the step as notes; a step that does not exist is exit 2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-step-'));
  fs.writeFileSync(path.join(dir, 'app.yaml'), canary.map((o) => YAML.stringify(o)).join('---\n'));
  let out = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['explain', dir, '--host', 'shop.example.com', '--release', 'cart', '--step', '2'])).toBe(0);
    expect(out).toContain('note: step 2 of 4 of the release of cart');
    expect(out).toMatch(/├─ 80% cart\.shop\/version-base/);
    expect(await main(['explain', dir, '--release', 'cart', '--step', '9'])).toBe(2);
    expect(await main(['explain', dir, '--step', '1'])).toBe(2);
  } finally {
    o.mockRestore();
    e.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
