/**
 * Property: the sync waves order a gray release the way Istio and Kruise need it: Services
 * before the Deployments and DestinationRule subsets, those before the VirtualServices that
 * route to them, and Kruise's Rollout and TrafficRouting last (see src/argocd/sync-waves.ts).
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { applySyncWaves, GrayService, SYNC_WAVE_ANNOTATION } from '../../src';
import { syncWaveOf, withSyncWaves } from '../../src/analysis';
import { synthExample } from '../support/examples';

const waveOf = (o: any) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);

describe('sync waves on full-link-gray', () => {
  const objects = synthExample('full-link-gray')[0].objects;
  const max = (kind: string) => Math.max(...objects.filter((o) => o.kind === kind).map(waveOf));
  const min = (kind: string) => Math.min(...objects.filter((o) => o.kind === kind).map(waveOf));

  test('every object has a wave', () => {
    expect(objects.filter((o) => Number.isNaN(waveOf(o))).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('Services < Deployments, DestinationRules < VirtualServices < Rollouts, TrafficRoutings', () => {
    expect(max('Service')).toBeLessThan(min('Deployment'));
    expect(max('Gateway')).toBeLessThan(min('VirtualService'));
    expect(max('Deployment')).toBeLessThan(min('VirtualService'));
    expect(max('DestinationRule')).toBeLessThan(min('VirtualService'));
    expect(max('VirtualService')).toBeLessThan(min('Rollout'));
    expect(max('VirtualService')).toBeLessThan(min('TrafficRouting'));
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

  test('withSyncWaves works on plain manifests and does not modify its input', () => {
    const input: any[] = [{ apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'color' } }];
    const out = withSyncWaves(input);
    expect(out[0].metadata.annotations).toEqual({ [SYNC_WAVE_ANNOTATION]: '2' });
    expect(input[0].metadata).toEqual({ name: 'color' });
    expect(syncWaveOf('rollouts.kruise.io/v1beta1', 'Rollout')).toBe(3);
    expect(syncWaveOf('v1', 'Pod')).toBeUndefined();
  });
});
