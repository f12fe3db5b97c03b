/**
 * The six findings of issue #14, one test each. Every test FAILS on the code before the fix
 * (`layers` at 25cfb30; how this was checked is in the issue note): it uses only APIs that
 * existed then, or reaches new ones through `require` so that their absence is an assertion
 * failure, not a compile error.
 *
 * 1. A lane release (TrafficRouting) routes before the canary pods are ready: a share of all
 *    requests by weight would get 503, so it is refused (pointing to Release.canary), and the
 *    window is data the tools can show.
 * 2. Steps that do nothing: no written step routes by traffic or matches unless the Rollout has
 *    its own trafficRoutings; "header → 20% → 50% → 100%" is expressible.
 * 3. Output Kruise rejects: v1beta1 + matches + weight steps never yields a Rollout Kruise's
 *    webhook refuses ("replicas cannot be empty").
 * 4. A release header the callers do not forward is an error at synth.
 * 5. No sync stays Running because Kruise paused a Deployment.
 * 6. The README does not claim RespectIgnoreDifferences keeps Kruise's rules, and the
 *    Application does not set it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { CanaryStep, GrayReleaseError, GrayService, KruiseApiVersion } from '../src';
import { keyOf, releaseHealth, runSync } from './support/argocd-sync';
import { synthExample } from './support/examples';
import { webhookErrors } from './support/kruise-webhook';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib: any = require('../src');
const SVC = { image: 'example/app:1.0', port: 8080 };
const MATCHES = [{ name: 'x-canary', value: 'true' }];

/** Builds and synthesizes; returns the objects, or the refusal. */
function attempt(build: (c: Chart) => void): { objects?: any[]; error?: Error } {
  const app = new App({ outdir: fs.mkdtempSync('/tmp/issue-14-') });
  const c = new Chart(app, 'test', { disableResourceNameHashes: true });
  try {
    build(c);
    app.synthYaml();
    return { objects: Testing.synth(c) };
  } catch (e) {
    return { error: e as Error };
  }
}

describe('finding 1: a lane release routes before the canary pods are ready', () => {
  test('a weight on a lane release is refused, pointing to the canary mode', () => {
    const { error } = attempt((c) => new GrayService(c, 'svc', { ...SVC, release: { matches: MATCHES, weight: 20 } as any }));
    expect(error).toBeInstanceOf(GrayReleaseError);
    expect(error!.message).toMatch(/release\.weight: .*before any canary pod is ready.*Fix: use Release\.canary/);
  });

  test('the readiness window is data the tools can show: "until the canary pods are ready: 503"', () => {
    expect(lib.RELEASE_TIMING?.lanes).toMatchObject({ routesBeforeCanaryReady: true, untilCanaryReady: expect.stringMatching(/^503/) });
  });
});

describe('finding 2: steps that do nothing', () => {
  test('a step with traffic is written only into a Rollout that routes by its own trafficRoutings', () => {
    const { objects } = attempt((c) => new GrayService(c, 'svc', { ...SVC, release: { matches: MATCHES, steps: [CanaryStep.replicas(1), CanaryStep.weight(50)] } as any }));
    for (const r of (objects ?? []).filter((o) => o.kind === 'Rollout')) {
      const routes = r.spec.strategy.canary.steps.some((s: any) => s.weight !== undefined || s.traffic !== undefined || s.matches !== undefined);
      if (routes) expect(r.spec.strategy.canary.trafficRoutings).toHaveLength(1);
    }
  });

  test('"header only → 20% → 50% → 100%" is expressible, and written with the Rollout\'s own trafficRoutings', () => {
    const step = lib.CanaryStep;
    const release = lib.Release?.canary({ steps: [step.match?.(MATCHES, { replicas: 1 }), step.traffic?.(20), step.traffic?.(50), step.traffic?.(100)] });
    const { objects, error } = attempt((c) => new GrayService(c, 'svc', { ...SVC, release }));
    expect(error).toBeUndefined();
    const rollout = objects!.find((o) => o.kind === 'Rollout');
    expect(rollout.spec.strategy.canary.trafficRoutings[0].service).toBe('svc');
    expect(rollout.spec.strategy.canary.steps.map((s: any) => s.weight ?? (s.matches ? 'header' : undefined))).toEqual(['header', 20, 50, 100]);
  });
});

describe('finding 3: output Kruise rejects', () => {
  test('v1beta1 + matches + weight steps: refused, or every written Rollout passes Kruise\'s webhook', () => {
    const { objects, error } = attempt((c) => new GrayService(c, 'svc', {
      ...SVC, release: { apiVersion: KruiseApiVersion.V1BETA1, matches: MATCHES, steps: [CanaryStep.weight(20), CanaryStep.weight(50)] } as any,
    }));
    if (error) {
      expect(error).toBeInstanceOf(GrayReleaseError);
    } else {
      const rollouts = objects!.filter((o) => o.kind === 'Rollout');
      for (const r of rollouts) expect(webhookErrors(r, rollouts)).toEqual([]);
    }
  });
});

describe('finding 4: an unchecked release header', () => {
  test('a caller that does not forward the header a release matches on is an error at synth', () => {
    const { error } = attempt((c) => {
      const back = new GrayService(c, 'back', { ...SVC, release: { matches: MATCHES } });
      new GrayService(c, 'front', { ...SVC, calls: [back] });
    });
    expect(error?.message).toMatch(/front calls back.*does not propagate x-canary/);
  });
});

describe('finding 5: a sync that waits for the whole release', () => {
  test('full-link-gray: a commit changing a released Deployment\'s template and its route ends the sync', () => {
    const [release, argocd] = synthExample('full-link-gray');
    const options = argocd.objects.find((o) => o.kind === 'Application').spec.syncPolicy.syncOptions;
    const d = keyOf(release.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'mockb-base'));
    const vs = keyOf(release.objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-mockb'));
    const outcome = runSync({ target: release.objects, outOfSync: new Set([d, vs]), syncOptions: options, health: releaseHealth(release.objects, new Set([d])) });
    expect(outcome.phase).toBe('Succeeded');
    // and with an object left in the cluster (prune: false keeps it forever)
    const leftover = { kind: 'ConfigMap', metadata: { name: 'old' } };
    expect(runSync({ target: release.objects, liveOnly: [leftover], outOfSync: new Set([d]), syncOptions: options, health: releaseHealth(release.objects, new Set([d])) }).phase).toBe('Succeeded');
  });
});

describe('finding 6: the README\'s RespectIgnoreDifferences claim', () => {
  test('the Application does not set RespectIgnoreDifferences, and the README no longer claims it keeps Kruise\'s routes', () => {
    const application = synthExample('full-link-gray')[1].objects.find((o) => o.kind === 'Application');
    expect(application.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Argo CD'), readme.indexOf('## API documentation'));
    expect(section).not.toMatch(/applied with Kruise's current routes kept/);
    expect(section).toMatch(/restoreNonIgnoredFields/);
    expect(section).toMatch(/#9678/);
  });
});
