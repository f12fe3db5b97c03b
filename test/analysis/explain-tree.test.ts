/**
 * The explainer's answers for the findings: every branch of a split in order with its
 * child hops under it, requests with a path, port and method, faults, mirrors and shares, and a
 * stable JSON shape. Fixture: test/fixtures/explain/shop.yaml (Bookinfo-shaped).
 */
import { fixture } from './helpers';
import { EXPLAIN_SCHEMA_VERSION, ExplainResult, Hop, explain, formatExplain } from '../../src/analysis';

const shop = fixture('explain/shop.yaml');
const at = (path: string, opts: Parameters<typeof explain>[2] = {}) => explain(shop, { gateway: true, host: 'shop.example.com', path }, opts);
const reviewsHop = (r: ExplainResult): Hop => r.hops[0].destinations[0].workloads[0].calls[0];

describe('a weighted split is a tree: every branch in order, the calls under their branch', () => {
  const r = at('/productpage');

  test('the JSON has both branches of reviews, each with its share and its own child hops', () => {
    const hop = reviewsHop(r);
    expect(hop.rule).toMatchObject({ index: 1, name: 'split' });
    expect(hop.destinations.map((d) => [d.subset, d.weight, d.share])).toEqual([['v1', 50, 0.5], ['v3', 50, 0.5]]);
    // each branch reaches its own pods, which call ratings under that branch
    expect(hop.destinations.map((d) => d.workloads.map((w) => [w.name, w.calls[0]?.service]))).toEqual([[['reviews-v1', 'ratings.shop']], [['reviews-v3', 'ratings.shop']]]);
  });

  test('the text puts the second branch after the first branch\'s child hops, at the first branch\'s depth, with a tree rail', () => {
    const lines = formatExplain(r).split('\n');
    const first = lines.findIndex((l) => l.includes('├─ 50% reviews.shop/v1'));
    const second = lines.findIndex((l) => l.includes('└─ 50% reviews.shop/v3'));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    // the lines between are the first branch's children: under the rail "│" of the first branch
    const column = lines[first].indexOf('├─');
    expect(lines[second].indexOf('└─')).toBe(column);
    const between = lines.slice(first + 1, second);
    expect(between.length).toBeGreaterThan(0);
    expect(between.every((l) => l[column] === '│')).toBe(true);
    expect(between.join('\n')).toContain('reviews-v1 → ratings.shop:9080');
  });
});

describe('requests with a path, a port and a method', () => {
  test.each([
    ['GET /productpage on 80', '/productpage', {}, 'pages'],
    ['GET /static/app.css on 80', '/static/app.css', {}, 'pages'],
    ['POST /login on 80', '/login', { method: 'POST' }, 'login'],
    ['GET /admin/x on 8080', '/admin/x', { port: 8080 }, 'admin-port'],
  ])('%s is routed by its rule', (_what, path, opts, rule) => {
    const hop = at(path, opts).hops[0];
    expect(hop).toMatchObject({ outcome: 'route', rule: { name: rule } });
  });

  test.each([
    ['GET /login (the rule wants POST)', '/login', {}],
    ['GET /admin/x on 80 (the rule wants port 8080)', '/admin/x', {}],
    ['GET /other', '/other', {}],
  ])('%s matches no rule: 404', (_what, path, opts) => {
    expect(at(path, opts).hops[0]).toMatchObject({ outcome: 'not-found', status: 404 });
  });

  test('the request is reported as sent: method, path, port, host', () => {
    expect(at('/login', { method: 'post' }).request).toEqual({ method: 'POST', path: '/login', port: 80, authority: 'shop.example.com', headers: {} });
  });
});

describe('faults, mirrors, timeouts and retries are shown', () => {
  test('jason: ratings aborts with 500 for every request and delays 10% by 7s', () => {
    const r = at('/productpage', { headers: { 'end-user': 'jason' } });
    const ratings = reviewsHop(r).destinations[0].workloads[0].calls[0];
    expect(ratings.rule?.fault).toEqual({ delay: { percent: 10, fixedDelay: '7s' }, abort: { percent: 100, httpStatus: 500 } });
    const text = formatExplain(r);
    expect(text).toContain('fault: delay 7s for 10% of requests');
    expect(text).toContain('fault: abort with 500 for 100% of requests: every request is answered so');
  });

  test('others: ratings mirrors 50% to v2, with a 10s timeout and 2 retries', () => {
    const ratings = reviewsHop(at('/productpage')).destinations[0].workloads[0].calls[0];
    expect(ratings.rule).toMatchObject({ timeout: '10s', retries: { attempts: 2, perTryTimeout: '3s' }, mirrors: [{ host: 'ratings', subset: 'v2', percent: 50 }] });
    expect(formatExplain(at('/productpage'))).toContain('mirror: 50% copied to ratings/v2 (answer ignored)');
  });
});

describe('--json is a stable, documented shape (docs/cli.md)', () => {
  test('the top level, a hop and a destination have exactly the documented fields', () => {
    const r = at('/productpage');
    expect(r.schemaVersion).toBe(EXPLAIN_SCHEMA_VERSION);
    expect(Object.keys(r).sort()).toEqual(['entry', 'headers', 'hops', 'release', 'request', 'schemaVersion', 'warnings']);
    const hop = reviewsHop(r);
    const allowedHop = ['from', 'host', 'service', 'port', 'coloring', 'virtualService', 'rule', 'outcome', 'status', 'message', 'headers', 'destinations'];
    expect(Object.keys(hop).filter((k) => !allowedHop.includes(k))).toEqual([]);
    const allowedDest = ['host', 'service', 'subset', 'port', 'weight', 'share', 'sets', 'selection', 'workloads', 'status', 'message'];
    expect(Object.keys(hop.destinations[0]).filter((k) => !allowedDest.includes(k))).toEqual([]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
