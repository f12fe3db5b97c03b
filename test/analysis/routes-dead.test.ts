/**
 * `routes` (ROUTES.md) draws only rules that can match: a rule after a catch-all, a rule every
 * request of which an earlier rule takes, a rule bound to other gateways and a zero-weight branch
 * are listed as never matching, not drawn as live edges.
 */
import { Manifest, deadRules, indexManifests, renderRoutesMarkdown } from '../../src/analysis';

const svc = (name: string): Manifest[] => [
  { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name } } },
  ...['v1', 'v2', 'v3'].map((v) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-${v}` }, spec: { template: { metadata: { labels: { app: name, version: v } } } } })),
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name }, spec: { host: name, subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) } },
];
const to = (subset: string) => [{ destination: { host: 'web', subset } }];
const vs = (http: object[], gateways?: string[]): Manifest => ({ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'web' }, spec: { hosts: ['web'], ...(gateways ? { gateways } : {}), http } });

describe('rules that never match', () => {
  test.each([
    ['after a rule without match', [{ route: to('v1') }, { match: [{ headers: { a: { exact: '1' } } }], route: to('v2') }], 'after http[0], which matches every request'],
    ['after a rule with an empty match entry', [{ match: [{}], route: to('v1') }, { match: [{ uri: { prefix: '/' } }], route: to('v2') }], 'after http[0]'],
    ['shadowed: the same header value first', [{ match: [{ headers: { a: { exact: '1' } } }], route: to('v1') }, { match: [{ headers: { a: { exact: '1' } }, uri: { prefix: '/x' } }], route: to('v2') }], 'http[0] matches first'],
    ['shadowed: a wider prefix first', [{ match: [{ uri: { prefix: '/api' } }], route: to('v1') }, { match: [{ uri: { exact: '/api/items' } }], route: to('v2') }], 'http[0] matches first'],
    ['shadowed: a presence test first', [{ match: [{ headers: { a: {} } }], route: to('v1') }, { match: [{ headers: { a: { exact: 'x' } } }], route: to('v2') }], 'http[0] matches first'],
    ['bound to a gateway the VirtualService is not on', [{ match: [{ gateways: ['other'] }], route: to('v2') }, { route: to('v1') }], 'name gateways (other)'],
  ])('%s', (_what, http, reason) => {
    const m = [...svc('web'), vs(http)];
    const dead = deadRules(indexManifests(m), m[m.length - 1]);
    expect(dead).toHaveLength(1);
    expect(dead[0].reason).toContain(reason);
  });

  test('rules that can match are not listed: narrower first, then wider; a different value; an OR with one live entry', () => {
    const http = [
      { match: [{ uri: { exact: '/api/items' } }], route: to('v2') },
      { match: [{ uri: { prefix: '/api' } }], route: to('v1') },
      { match: [{ headers: { a: { exact: '2' } } }, { uri: { prefix: '/api' } }], route: to('v3') },
      { route: to('v1') },
    ];
    const m = [...svc('web'), vs(http)];
    expect(deadRules(indexManifests(m), m[m.length - 1])).toEqual([]);
  });
});

describe('ROUTES.md draws live rules only', () => {
  const m = [...svc('web'), vs([
    { route: [{ destination: { host: 'web', subset: 'v1' }, weight: 100 }, { destination: { host: 'web', subset: 'v3' }, weight: 0 }] },
    { match: [{ headers: { 'x-lane': { exact: 'dev' } } }], route: to('v2') },
  ])];
  const md = renderRoutesMarkdown(m);

  test('the rule after the catch-all is listed, not drawn; the zero-weight branch is not drawn', () => {
    expect(md).toContain('Rules that never match (not drawn):');
    expect(md).toContain('| VirtualService/default/web | http[1] | after http[0], which matches every request |');
    expect(md).not.toContain('x-lane exact');
    expect(md).not.toMatch(/"v3: web-v3"/);
    expect(md).toMatch(/"v1: web-v1"/);
  });
});
