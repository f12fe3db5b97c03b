/**
 * Property: the exported argocd-cm health customisation for Deployments
 * (KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA) is Lua 5.1 (what gopher-lua runs), uses only what Argo CD
 * gives a custom script without useOpenLibs (tostring, ipairs, pairs: run here in fengari with
 * nothing else in its environment), and gives the verdicts and messages of Argo CD's built-in
 * Deployment check (gitops-engine/pkg/health/health_deployment.go, v3.5.1, as quoted in the
 * notes) except that a Deployment paused by a Kruise Rollout is Healthy. A Deployment a person
 * paused stays Suspended.
 */
import { ARGOCD_DEPLOYMENT_HEALTH_KEY, argoCdHealthCustomization, KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA } from '../../src';
import { checkLuaSyntax } from '../support/lua';
import { runHealthScript } from '../support/lua-health';

const deployment = (spec: object, status: object, annotations: object = {}, generation = 5) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', generation, annotations }, spec: { replicas: 3, ...spec }, status: { observedGeneration: 5, ...status },
});
const READY = { replicas: 3, updatedReplicas: 3, availableReplicas: 3 };

const CASES: Array<[string, object, string, RegExp]> = [
  ['paused by Kruise (in-progressing)', deployment({ paused: true }, READY, { 'rollouts.kruise.io/in-progressing': '{"rolloutName":"rollouts-cart"}' }), 'Healthy', /^Paused by an OpenKruise Rollout .* 3 of 3 replicas available$/],
  ['paused by Kruise, finishing (control-info only)', deployment({ paused: true }, READY, { 'batchrelease.rollouts.kruise.io/control-info': '{}' }), 'Healthy', /OpenKruise Rollout/],
  ['paused by a person', deployment({ paused: true }, READY), 'Suspended', /^Deployment is paused$/],
  ['healthy', deployment({}, READY), 'Healthy', /^$/],
  ['updating', deployment({}, { replicas: 3, updatedReplicas: 1, availableReplicas: 3 }), 'Progressing', /^Waiting for rollout to finish: 1 out of 3 new replicas have been updated\.\.\.$/],
  ['old replicas left', deployment({}, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), 'Progressing', /^Waiting for rollout to finish: 1 old replicas are pending termination\.\.\.$/],
  ['updated but not available', deployment({}, { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }), 'Progressing', /^Waiting for rollout to finish: 2 of 3 updated replicas are available\.\.\.$/],
  ['progress deadline exceeded', deployment({}, { ...READY, conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] }), 'Degraded', /^Deployment "cart" exceeded its progress deadline$/],
  ['generation not observed', deployment({}, READY, {}, 6), 'Progressing', /observed deployment generation less than desired generation/],
  ['no status yet', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', generation: 1 }, spec: { replicas: 3 } }, 'Progressing', /observed deployment generation less than desired generation/],
];

test.each(CASES.map(([what, obj, status, message]) => [what, status, obj, message] as const))('%s → %s', (_what, status, obj, message) => {
  const hs = runHealthScript(KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA, obj);
  expect(hs.status).toBe(status);
  expect(hs.message).toMatch(message);
});

test('the script is Lua 5.1 and reads no global but obj and the base functions Argo CD gives', () => {
  expect(checkLuaSyntax(KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA)).toEqual(['ipairs', 'obj', 'tostring']);
});

test('the argocd-cm entry uses the key Argo CD reads for apps/Deployment', () => {
  expect(ARGOCD_DEPLOYMENT_HEALTH_KEY).toBe('resource.customizations.health.apps_Deployment');
  expect(argoCdHealthCustomization()).toEqual({ [ARGOCD_DEPLOYMENT_HEALTH_KEY]: KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA });
});

test('the harness can fail: a script using the string library errors, as it would in Argo CD', () => {
  expect(() => runHealthScript('return { status = string.format("%s", "Healthy") }', {})).toThrow(/string/);
});
