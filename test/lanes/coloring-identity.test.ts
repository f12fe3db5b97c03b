/**
 * Identity-based lane entry, run in the Lua VM against a mock of Envoy 1.31's request_handle:
 * verified JWT claims (read from the JWT filter's dynamic metadata, never from a header), the
 * client address (the TCP peer, or X-Forwarded-For behind declared trusted proxies), the
 * gateway host scope, and one spoofing test per entry kind.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ColoringRule, IngressGateway, JwtIssuer, TrafficColoring, TrafficColoringProps, UserKey } from '../../src';
import { inBlocks } from '../support/identity';
import { checkLuaSyntax, RequestContext, runOnRequest } from '../support/lua';

const LANE = 'x-lane';
const ISSUER = 'https://idp.example.com';
const JWT = 'envoy.filters.http.jwt_authn';

/** A chart with a gateway (hosts shop.example.com and *.beta.example.com) and an issuer on it. */
function coloring(props: Partial<TrafficColoringProps>): TrafficColoring {
  const chart = new Chart(Testing.app(), 'shop');
  const gateway = new IngressGateway(chart, 'gw', { hosts: ['shop.example.com', '*.beta.example.com'] });
  new JwtIssuer(chart, 'idp', { gateway, issuer: ISSUER, jwksUri: `${ISSUER}/jwks` });
  const c = new TrafficColoring(chart, 'coloring', { gateway, header: LANE, ...props });
  // Every script parses as LuaJIT and 5.1 and uses only its entry point and standard functions.
  expect(checkLuaSyntax(c.script).filter((g) => !['envoy_on_request', 'string', 'type', 'tonumber'].includes(g))).toEqual([]);
  return c;
}

/** The lane header after the script ran on `headers` (host shop.example.com unless given). */
function laneOf(script: string, headers: Record<string, string>, context: RequestContext = {}): string | undefined {
  const result = runOnRequest(script, { ':authority': 'shop.example.com', ...headers }, context);
  expect(result.leakedGlobals).toEqual([]);
  expect(result.mutations.every((m) => m[1] === LANE && m[0] !== 'add')).toBe(true);
  return result.headers[LANE];
}

/** Dynamic metadata as Istio 1.23's JWT filter leaves it after verifying a token (key "payload"). */
const verified = (payload: Record<string, unknown>): RequestContext => ({ dynamicMetadata: { [JWT]: { payload: { iss: ISSUER, ...payload } } } });

describe('verified JWT claims', () => {
  const script = coloring({
    rules: [
      ColoringRule.jwtClaim(ISSUER, 'groups', 'beta', 'canary'),
      ColoringRule.jwtClaim(ISSUER, ['realm_access', 'roles'], 'qa', 'qa'),
      ColoringRule.jwtClaim(ISSUER, 'tier', 'gold', 'gold'),
    ],
  }).script;

  test('a list claim containing the value, a nested list and a string claim each match', () => {
    // GIVEN verified payloads
    // WHEN the script runs
    // THEN list membership, nested paths and string equality decide, in rule order
    expect(laneOf(script, {}, verified({ groups: ['staff', 'beta'] }))).toBe('canary');
    expect(laneOf(script, {}, verified({ groups: 'beta' }))).toBe('canary');
    expect(laneOf(script, {}, verified({ realm_access: { roles: ['qa'] } }))).toBe('qa');
    expect(laneOf(script, {}, verified({ tier: 'gold' }))).toBe('gold');
    expect(laneOf(script, {}, verified({ groups: ['betamax', 'Beta'], tier: 'golden', realm_access: 'qa' }))).toBeUndefined();
    expect(laneOf(script, {}, verified({ groups: { beta: true }, tier: 7 }))).toBeUndefined();
  });

  test('the claim is read only from the JWT filter\'s metadata, and only for the rule\'s issuer', () => {
    // GIVEN the same claims under another issuer, another metadata key, or another filter
    const otherIssuer = { dynamicMetadata: { [JWT]: { payload: { iss: 'https://evil.example.com', groups: ['beta'] } } } };
    const issuerKeyed = { dynamicMetadata: { [JWT]: { [ISSUER]: { iss: ISSUER, groups: ['beta'] } } } };
    const otherFilter = { dynamicMetadata: { 'envoy.filters.http.lua': { payload: { iss: ISSUER, groups: ['beta'] } } } };
    // WHEN the script runs
    // THEN none of them colors the request
    expect(laneOf(script, {}, otherIssuer)).toBeUndefined();
    expect(laneOf(script, {}, issuerKeyed)).toBeUndefined();
    expect(laneOf(script, {}, otherFilter)).toBeUndefined();
    const calls = runOnRequest(script, { ':authority': 'shop.example.com' }, verified({ groups: ['beta'] })).calls;
    expect(calls).toContainEqual(['metadata.get', JWT]);
  });
});

describe('source address', () => {
  const script = coloring({
    rules: [
      ColoringRule.sourceAddress(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'], 'office'),
      ColoringRule.sourceAddress(['203.0.113.0/24'], 'partner', { trustedProxyHops: 1 }),
    ],
  }).script;
  const peer = (address: string): RequestContext => ({ directRemoteAddress: address });

  test('the TCP peer decides: IPv4, IPv6 in brackets, IPv4-mapped IPv6, a single address', () => {
    // GIVEN peers as Envoy prints them (ip:port, [ip6]:port)
    // WHEN the script runs
    // THEN membership of the peer address in the blocks decides
    expect(laneOf(script, {}, peer('10.20.30.40:51000'))).toBe('office');
    expect(laneOf(script, {}, peer('[2001:db8:1::5]:443'))).toBe('office');
    expect(laneOf(script, {}, peer('[::ffff:10.1.2.3]:443'))).toBe('office');
    expect(laneOf(script, {}, peer('192.0.2.7:80'))).toBe('office');
    expect(laneOf(script, {}, peer('192.0.2.8:80'))).toBeUndefined();
    expect(laneOf(script, {}, peer('11.0.0.1:80'))).toBeUndefined();
    expect(laneOf(script, {}, peer('[2001:db9::1]:443'))).toBeUndefined();
    expect(laneOf(script, {}, peer('/var/run/pipe'))).toBeUndefined();
  });

  test('address text forms: compressed and mapped IPv6 parse as Node does, malformed ones match nothing', () => {
    // GIVEN blocks for both families and addresses in every text form, valid or not
    const blocks = ['10.0.0.0/8', '2001:db8::/32', '::1/128', '::/127'];
    const c = coloring({ rules: [ColoringRule.sourceAddress(blocks, 'in')] }).script;
    const forms = [
      '::1', '::', '::0', '2001:db8::', '2001:DB8::abcd', '2001:db8:0:0:0:0:0:1', '0:0:0:0:0:ffff:a00:1', '::ffff:10.9.8.7', '::ffff:0a09:0807',
      '1::2::3', '12345::', ':::', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '::ffff:10.9.8', '10.0.0', '010.0.0.1', '10.0.0.256', '10.0.0.1.',
      '.10.0.0.1', '10..0.1', '+10.0.0.1', '10.0.0.1 ', 'fe80::1%eth0', '::10.0.0.1', 'g::1', '',
    ];
    for (const form of forms) {
      // WHEN the form is the peer address
      const printed = form.includes(':') ? `[${form}]:1` : `${form}:1`;
      // THEN the script matches exactly when Node parses the form and finds it in a block
      expect({ form, lane: laneOf(c, {}, peer(printed)) }).toEqual({ form, lane: inBlocks(form, blocks) ? 'in' : undefined });
    }
  });

  test('behind one trusted proxy, the X-Forwarded-For entry left of the one the gateway appended', () => {
    // GIVEN a load balancer 198.51.100.9 in front; the gateway appended it to X-Forwarded-For
    const lb = peer('198.51.100.9:40000');
    // WHEN the client is a partner, or forged entries precede it
    // THEN only the entry the trusted proxy wrote counts
    expect(laneOf(script, { 'x-forwarded-for': '203.0.113.5, 198.51.100.9' }, lb)).toBe('partner');
    expect(laneOf(script, { 'x-forwarded-for': '203.0.113.5,198.51.100.9' }, lb)).toBe('partner');
    expect(laneOf(script, { 'x-forwarded-for': '203.0.113.66, 8.8.8.8, 198.51.100.9' }, lb)).toBeUndefined();
    // AND a header the gateway did not append to (last entry not the peer), or too short, matches nothing
    expect(laneOf(script, { 'x-forwarded-for': '203.0.113.5' }, lb)).toBeUndefined();
    expect(laneOf(script, { 'x-forwarded-for': '198.51.100.9' }, lb)).toBeUndefined();
    expect(laneOf(script, { 'x-forwarded-for': '203.0.113.5, 198.51.100.10' }, lb)).toBeUndefined();
    expect(laneOf(script, { 'x-forwarded-for': '203.0.113.5:1234, 198.51.100.9' }, lb)).toBeUndefined();
  });

  test('property: for any address and block, the Lua answer is Node\'s net.BlockList answer (numRuns 150)', () => {
    // GIVEN random blocks and addresses near their edges (IPv4, IPv6, mapped)
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
    const hex = fc.nat(0xffff).map((x) => x.toString(16));
    const v6 = fc.array(hex, { minLength: 8, maxLength: 8 }).map((g) => g.join(':'));
    const cases = fc.oneof(
      fc.tuple(v4, fc.integer({ min: 0, max: 32 }), v4),
      fc.tuple(v6, fc.integer({ min: 0, max: 128 }), v6),
    );
    fc.assert(fc.property(cases, ([base, prefix, probe]) => {
      const block = networkOf(base, prefix);
      const c = coloring({ rules: [ColoringRule.sourceAddress([block], 'in')] });
      for (const address of [probe, base, block.split('/')[0]]) {
        // WHEN the peer is the address
        const printed = address.includes(':') ? `[${address}]:1` : `${address}:1`;
        // THEN the script agrees with the oracle
        expect({ block, address, lane: laneOf(c.script, {}, peer(printed)) }).toEqual({ block, address, lane: inBlocks(address, [block]) ? 'in' : undefined });
      }
    }), { numRuns: 150 });
  });
});

/** `base/prefix` with the host bits cleared (computed with BigInt, independent of src/). */
function networkOf(base: string, prefix: number): string {
  if (!base.includes(':')) {
    const value = base.split('.').reduce((acc, o) => acc * 256n + BigInt(o), 0n);
    const size = 2n ** BigInt(32 - prefix);
    const net = (value / size) * size;
    return `${[24n, 16n, 8n, 0n].map((s) => ((net / 2n ** s) % 256n).toString()).join('.')}/${prefix}`;
  }
  const value = base.split(':').reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
  const size = 2n ** BigInt(128 - prefix);
  const net = (value / size) * size;
  const groups = Array.from({ length: 8 }, (_, i) => ((net / 2n ** BigInt(16 * (7 - i))) % 65536n).toString(16));
  return `${groups.join(':')}/${prefix}`;
}

describe('scoped to the gateway\'s hosts', () => {
  const script = coloring({ rules: [ColoringRule.clientHeaderEquals('agent', 'pc', 'canary')], defaultValue: 'base' }).script;

  test('requests for the gateway\'s hosts are colored, in any case, with a port or a trailing dot', () => {
    expect(laneOf(script, { ':authority': 'SHOP.example.com:80', 'agent': 'pc' })).toBe('canary');
    expect(laneOf(script, { ':authority': 'shop.example.com.' })).toBe('base');
    expect(laneOf(script, { ':authority': 'a.beta.example.com' })).toBe('base');
    expect(laneOf(script, { ':authority': 'x.y.beta.example.com' })).toBe('base');
  });

  test('another tenant\'s host on the same gateway is not touched at all', () => {
    // GIVEN requests for hosts the gateway's servers do not list (the bare domain of a wildcard too)
    for (const host of ['other.example.com', 'beta.example.com', 'shop.example.com.evil.io', '']) {
      // WHEN the script runs
      const result = runOnRequest(script, { ':authority': host, [LANE]: 'theirs', 'agent': 'pc' });
      // THEN no header is changed (their lane header is theirs)
      expect(result.mutations).toEqual([]);
      expect(result.headers[LANE]).toBe('theirs');
    }
  });
});

describe('spoofing: per entry kind, what the client sends but cannot have does not enter a lane', () => {
  test('client header: a lane header sent by the client is replaced, or removed when nothing matches', () => {
    const script = coloring({ rules: [ColoringRule.jwtClaim(ISSUER, 'groups', 'beta', 'canary')] }).script;
    expect(laneOf(script, { [LANE]: 'canary' })).toBeUndefined();
    expect(laneOf(script, { [LANE]: 'canary' }, verified({ groups: ['beta'] }))).toBe('canary');
  });

  test('cookie: a lane cookie or a cookie named like a claim does not stand in for a verified claim', () => {
    const script = coloring({ rules: [ColoringRule.jwtClaim(ISSUER, 'groups', 'beta', 'canary')] }).script;
    expect(laneOf(script, { cookie: `${LANE}=canary; groups=beta; lane=canary` })).toBeUndefined();
  });

  test('claim: an unverified token, claim-like headers or a payload of another issuer do not match', () => {
    const script = coloring({ rules: [ColoringRule.jwtClaim(ISSUER, 'groups', 'beta', 'canary')] }).script;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, groups: ['beta'] })).toString('base64url')}.`;
    // The gateway's JWT filter rejects an invalid token of the issuer (401) or, with no token,
    // leaves no metadata: the script sees only headers.
    expect(laneOf(script, { 'authorization': `Bearer ${unsigned}`, 'x-jwt-claim-groups': 'beta', 'x-jwt-payload': 'eyJncm91cHMiOlsiYmV0YSJdfQ', 'groups': 'beta' })).toBeUndefined();
    expect(laneOf(script, {}, { dynamicMetadata: { [JWT]: { payload: { iss: 'https://attacker.example.com', groups: ['beta'] } } } })).toBeUndefined();
  });

  test('address: forged X-Forwarded-For, X-Real-IP and Forwarded headers do not change the peer', () => {
    const script = coloring({ rules: [ColoringRule.sourceAddress(['10.0.0.0/8'], 'office')] }).script;
    const outside = { directRemoteAddress: '198.51.100.7:51234' };
    expect(laneOf(script, { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.1', 'forwarded': 'for=10.0.0.1', 'x-envoy-external-address': '10.0.0.1' }, outside)).toBeUndefined();
    const hops = coloring({ rules: [ColoringRule.sourceAddress(['10.0.0.0/8'], 'office', { trustedProxyHops: 1 })] }).script;
    const lb = { directRemoteAddress: '198.51.100.9:40000' };
    expect(laneOf(hops, { 'x-forwarded-for': '10.0.0.1, 198.51.100.66, 198.51.100.9' }, lb)).toBeUndefined();
    expect(laneOf(hops, { 'x-forwarded-for': '10.0.0.1' }, lb)).toBeUndefined();
  });

  test('cohort on a verified claim: a user id the client sends in headers or cookies is ignored', () => {
    const script = coloring({ rules: [ColoringRule.cohort(UserKey.jwtClaim(ISSUER, 'sub'), 100, 'canary')] }).script;
    expect(laneOf(script, { 'x-user-id': 'alice', 'cookie': 'sub=alice', 'sub': 'alice' })).toBeUndefined();
    expect(laneOf(script, {}, verified({ sub: 'alice' }))).toBe('canary');
  });
});
