import { diffRouting, regexWitnesses } from '../../src/analysis';

/**
 * docs/cli.md "diff": a request class is derived for every literal alternative of a regex, so a
 * change a regex brings in (`jas(on|per)` instead of `exact: jason`) is compared, not noted away.
 */
describe('diff: literal alternatives inside a regex group', () => {
  test('prefix(alt|alt)suffix gives one witness per alternative, each a full RE2 match', () => {
    expect(regexWitnesses('jas(on|per)')).toEqual(['jason', 'jasper']);
    expect(regexWitnesses('^v(1|2)-beta$')).toEqual(['v1-beta', 'v2-beta']);
    expect(regexWitnesses('(?:a|b)')).toEqual(['a', 'b']);
    expect(regexWitnesses('a(b|c)*')).toBeUndefined();
  });

  test('replacing exact "jason" by regex "jas(on|per)" on Bookinfo reviews changes where "jasper" goes', () => {
    const vs = (match: object) => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: {
        hosts: ['reviews'],
        http: [
          { match: [{ headers: { 'end-user': match } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
          { route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        ],
      },
    });
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'default' }, spec: { selector: { app: 'reviews' }, ports: [{ port: 9080 }] } };
    const dep = (v: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `reviews-${v}`, namespace: 'default' }, spec: { selector: { matchLabels: { app: 'reviews', version: v } }, template: { metadata: { labels: { app: 'reviews', version: v } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
    const dr = { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' }, spec: { host: 'reviews', subsets: [{ name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } }] } };
    const base = [svc, dep('v2'), dep('v3'), dr];
    const d = diffRouting([...base, vs({ exact: 'jason' })], [...base, vs({ regex: 'jas(on|per)' })]);
    expect(d.changed.map((c) => c.request)).toEqual(['end-user: jasper']);
    expect(d.notes).toEqual([]);
  });
});
