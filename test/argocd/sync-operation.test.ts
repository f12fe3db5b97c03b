/**
 * Property: no Argo CD sync stays Running because Kruise paused a Deployment. For the examples
 * as synthesized (their sync waves, and the sync options of their Application or
 * ApplicationSet), a model of gitops-engine's sync operation (test/support/argocd-sync.ts,
 * written from argo-cd v3.5.1's sync_context.go as read in the notes, not from src/) ends the
 * operation for every commit that starts or touches a release: the released Deployment's
 * template alone, or with its VirtualService, DestinationRule, EnvoyFilter, Service or Rollout,
 * and with an object left in the cluster after it left git. Negative controls show the model
 * does stall on the designs the issue describes (Deployment in wave 0 with later waves, or
 * PruneLast), and that the argocd-cm health customisation (run in the Lua VM) unblocks them.
 */
import { KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA } from '../../src';
import { keyOf, releaseHealth, runSync, SyncScenario } from '../support/argocd-sync';
import { synthExample } from '../support/examples';
import { runHealthScript } from '../support/lua-health';

interface Example { readonly name: string; readonly objects: any[]; readonly syncOptions: string[] }

function load(name: string): Example {
  const [release, argocd] = synthExample(name);
  const app = argocd.objects.find((o) => o.kind === 'Application' || o.kind === 'ApplicationSet');
  const spec = app.kind === 'Application' ? app.spec : app.spec.template.spec;
  return { name, objects: release.objects, syncOptions: spec.syncPolicy.syncOptions };
}

const EXAMPLES = [load('full-link-gray'), load('canary-release')];
const LEFTOVER = { kind: 'ConfigMap', metadata: { name: 'old-config', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } } };

/** The commits of a release: the released Deployment's template, alone or with each related object. */
function commits(ex: Example): Array<{ what: string; changed: Set<string>; template: Set<string>; liveOnly: any[] }> {
  const rollout = ex.objects.find((o) => o.kind === 'Rollout');
  const deployment = ex.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === (rollout.spec.objectRef?.workloadRef ?? rollout.spec.workloadRef).name);
  const d = keyOf(deployment);
  const others = ['VirtualService', 'DestinationRule', 'EnvoyFilter', 'Service', 'Rollout', 'Gateway']
    .map((kind) => ex.objects.find((o) => o.kind === kind)).filter((o) => o);
  return [
    { what: 'the template only', changed: new Set([d]), template: new Set([d]), liveOnly: [] },
    ...others.map((o) => ({ what: `the template and ${keyOf(o)}`, changed: new Set([d, keyOf(o)]), template: new Set([d]), liveOnly: [] })),
    { what: 'the template, with an object left in the cluster', changed: new Set([d]), template: new Set([d]), liveOnly: [LEFTOVER] },
    { what: 'everything (no ApplyOutOfSyncOnly effect)', changed: new Set(ex.objects.map(keyOf)), template: new Set([d]), liveOnly: [LEFTOVER] },
  ];
}

describe.each(EXAMPLES.map((e) => [e.name, e] as const))('%s: every sync during a release ends', (_name, ex) => {
  test.each(commits(ex).map((c) => [c.what, c] as const))('a commit changing %s', (_what, c) => {
    const scenario: SyncScenario = { target: ex.objects, liveOnly: c.liveOnly, outOfSync: c.changed, syncOptions: ex.syncOptions, health: releaseHealth(ex.objects, c.template) };
    expect(runSync(scenario)).toMatchObject({ phase: 'Succeeded', waitingFor: [] });
  });
});

describe('the model stalls where the issue says gitops-engine does (negative controls)', () => {
  const ex = EXAMPLES[0];
  // The design of the issue: Rollout-targeted Deployments in wave 0, routes in 1, Rollouts in 3.
  const oldWaves = ex.objects.map((o) => (o.kind === 'Deployment' ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'argocd.argoproj.io/sync-wave': '0' } } } : o));
  const d = keyOf(oldWaves.find((o) => o.kind === 'Deployment'));
  const vs = keyOf(oldWaves.find((o) => o.kind === 'VirtualService'));

  test('a Deployment wave before the routes: a template + route commit stays Running on the paused Deployment', () => {
    const outcome = runSync({ target: oldWaves, outOfSync: new Set([d, vs]), syncOptions: ['ApplyOutOfSyncOnly=true'], health: releaseHealth(oldWaves, new Set([d])) });
    expect(outcome).toMatchObject({ phase: 'Running', waitingFor: [d] });
  });

  test('PruneLast with an object left in the cluster: every release commit stays Running, even with the waves of option C', () => {
    const outcome = runSync({ target: ex.objects, liveOnly: [LEFTOVER], outOfSync: new Set([d]), syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true'], health: releaseHealth(ex.objects, new Set([d])) });
    expect(outcome.phase).toBe('Running');
  });

  test('with the argocd-cm Deployment health customisation (run in the Lua VM) the same syncs end', () => {
    const lua = (live: any) => runHealthScript(KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA, live).status as any;
    expect(runSync({ target: oldWaves, outOfSync: new Set([d, vs]), syncOptions: ['ApplyOutOfSyncOnly=true'], health: releaseHealth(oldWaves, new Set([d]), lua) }).phase).toBe('Succeeded');
    expect(runSync({ target: ex.objects, liveOnly: [LEFTOVER], outOfSync: new Set([d]), syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true'], health: releaseHealth(ex.objects, new Set([d]), lua) }).phase).toBe('Succeeded');
  });
});
