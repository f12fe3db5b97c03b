/**
 * Property: the sync waves order a gray release the way Istio, Kruise and gitops-engine need
 * it: Services first, then the Deployments no Rollout targets and the DestinationRule subsets,
 * then the VirtualServices that route to them, then the ingress coloring; and in the LAST wave,
 * nothing after them, every Deployment a Kruise Rollout targets, with its Rollout and
 * TrafficRouting (Argo CD never waits after the last wave it applies, so a Deployment Kruise
 * pauses never holds a sync; see src/model/argocd/sync-waves.ts).
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { applySyncWaves, GrayService, Release, CanaryStep, SYNC_WAVE_ANNOTATION } from '../../src';
import { syncWaveOf, withSyncWaves } from '../../src/analysis';
import { synthExample } from '../support/examples';

const waveOf = (o: any) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);

describe('sync waves on full-link-gray (every Deployment released by a Rollout)', () => {
  const objects = synthExample('full-link-gray')[0].objects;
  const max = (kind: string) => Math.max(...objects.filter((o) => o.kind === kind).map(waveOf));
  const min = (kind: string) => Math.min(...objects.filter((o) => o.kind === kind).map(waveOf));

  test('every object has a wave', () => {
    expect(objects.filter((o) => Number.isNaN(waveOf(o))).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('Services < DestinationRules < VirtualServices < EnvoyFilter < Rollouts, TrafficRoutings', () => {
    expect(max('Service')).toBeLessThan(min('DestinationRule'));
    expect(max('Gateway')).toBeLessThan(min('VirtualService'));
    expect(max('DestinationRule')).toBeLessThan(min('VirtualService'));
    expect(max('VirtualService')).toBeLessThan(min('EnvoyFilter'));
    expect(max('EnvoyFilter')).toBeLessThan(min('Rollout'));
    expect(max('VirtualService')).toBeLessThan(min('TrafficRouting'));
  });

  test('the Rollout-targeted Deployments are in the last wave, with their Rollouts: nothing comes after them', () => {
    const last = Math.max(...objects.map(waveOf));
    for (const d of objects.filter((o) => o.kind === 'Deployment')) expect(waveOf(d)).toBe(last);
    expect(min('Rollout')).toBe(last);
  });
});

describe('sync waves on traffic-lanes (static lanes, no Rollout)', () => {
  const objects = withSyncWaves(synthExample('traffic-lanes')[0].objects);
  test('lane Deployments come before the routes that send requests to them', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map(waveOf);
    const routes = objects.filter((o) => o.kind === 'VirtualService').map(waveOf);
    expect(Math.max(...deployments)).toBeLessThan(Math.min(...routes));
  });
});

describe('applySyncWaves and withSyncWaves', () => {
  test('keep a wave the user set, and leave unknown kinds alone', () => {
    // GIVEN a chart with a user-set wave on one Deployment and an unknown kind
    const chart = new Chart(Testing.app(), 'c', { disableResourceNameHashes: true });
    const svc = new GrayService(chart, 'cart', { image: 'cart:1', port: 8000 });
    svc.deployment.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, '7');
    new ApiObject(chart, 'other', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    // WHEN waves are applied
    applySyncWaves(chart);
    const out = Testing.synth(chart);
    // THEN
    expect(waveOf(out.find((o) => o.kind === 'Deployment'))).toBe(7);
    expect(out.find((o) => o.kind === 'Widget').metadata.annotations).toBeUndefined();
    expect(waveOf(out.find((o) => o.kind === 'Service'))).toBe(-1);
  });

  test('a released Deployment goes last, a Deployment without release stays before the routes', () => {
    // GIVEN a released service and a plain one in one chart
    const chart = new Chart(Testing.app(), 'c', { disableResourceNameHashes: true, namespace: 'shop' });
    new GrayService(chart, 'cart', { image: 'cart:1', port: 8000, release: Release.canary({ steps: [CanaryStep.traffic(10)] }) });
    new GrayService(chart, 'web', { image: 'web:1', port: 8000 });
    // WHEN waves are applied
    applySyncWaves(chart);
    const out = Testing.synth(chart);
    const named = (kind: string, name: string) => waveOf(out.find((o) => o.kind === kind && o.metadata.name === name));
    // THEN
    expect(named('Deployment', 'cart-base')).toBe(3);
    expect(named('Rollout', 'rollouts-cart')).toBe(3);
    expect(named('Deployment', 'web-base')).toBe(0);
    expect(named('VirtualService', 'vs-web')).toBe(1);
  });

  test('withSyncWaves works on plain manifests, finds Rollout targets, and does not modify its input', () => {
    const input: any[] = [
      { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'color' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other' } },
      { apiVersion: 'rollouts.kruise.io/v1beta1', kind: 'Rollout', metadata: { name: 'r' }, spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } },
    ];
    const out = withSyncWaves(input);
    expect(out.map((o) => o.metadata.annotations?.[SYNC_WAVE_ANNOTATION])).toEqual(['2', '3', '0', '3']);
    expect(input[0].metadata).toEqual({ name: 'color' });
    expect(syncWaveOf('rollouts.kruise.io/v1beta1', 'Rollout')).toBe(3);
    expect(syncWaveOf('v1', 'Pod')).toBeUndefined();
  });
});
