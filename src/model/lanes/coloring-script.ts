/**
 * The ingress coloring script: Lua 5.1 / LuaJIT for Envoy's Lua filter, built only with the
 * typed Lua builder (src/model/lua).
 *
 * Route cache: on Envoy 1.31 (Istio 1.23) every `headers:replace()` or `remove()` in
 * `envoy_on_request` clears the route cache, so the router matches the gateway's routes again on
 * the colored headers (notes: istio-envoy.md §1; `StreamHandleWrapper::luaHeaders` →
 * `onHeadersModified` → `clearRouteCache`). The script therefore calls no `clearRouteCache()`
 * (that method exists only from Envoy 1.34, where clearing after a header change is still the
 * default).
 */
import { ColoringRule, ColoringRuleKind } from './coloring-rule';
import { call, local, n, notNil, ret, s, v, when } from './lua-dsl';
import { basisPoints } from './rule-checks';
import {
  bucketOfFunction, digFunction, forwardedKeyFunction, fnv1aFunction, groupsHexFunction, hasValueFunction, inBucketFunction, inRangeFunction,
  ipKeyFunction, ipv4HexFunction, peerKeyFunction, verifiedPayloadFunction, xor8Functions,
} from './script-identity';
import {
  cookieFunction, countFieldsFunction, fieldFunction, hasPrefixFunction, hasSuffixFunction, requestHostFunction, trimFunction,
} from './script-text';
import { UserKeyKind } from './user-key';
import { lua, LuaExpr, LuaStatement } from '../lua/ast';
import { renderLua } from '../lua/render';
import { parseCidr, AddressRange } from '../security/address';

/** What the ingress coloring script does; validated by `TrafficColoring` before this runs. */
export interface ColoringScriptOptions {
  /** The lane header the script sets. */
  readonly header: string;
  /** Rules, first match wins. */
  readonly rules: readonly ColoringRule[];
  /** The lane value when no rule matches; undefined leaves the header unset. */
  readonly defaultValue?: string;
  /** Keep a lane header the client sent, and color only requests without one. */
  readonly trustClientHeader: boolean;
  /**
   * Hosts (Gateway server hosts, `namespace/` removed) the script acts on; any other
   * `:authority` leaves the request untouched. `*` or undefined: every host.
   */
  readonly hosts?: readonly string[];
}

const HEADERS = v('headers');
const HANDLE = v('request_handle');

/** Helper groups in the order they are defined (a helper only calls those defined before it). */
type Helper = 'text' | 'cookie' | 'prefix' | 'host' | 'address' | 'forwarded' | 'claims' | 'hash';
const HELPERS: ReadonlyArray<[Helper, () => LuaStatement[]]> = [
  ['text', () => [trimFunction()]],
  ['cookie', () => [cookieFunction()]],
  ['prefix', () => [hasPrefixFunction()]],
  ['host', () => [hasSuffixFunction(), requestHostFunction()]],
  ['address', () => [ipv4HexFunction(), groupsHexFunction(), ipKeyFunction(), peerKeyFunction(), inRangeFunction()]],
  ['forwarded', () => [fieldFunction(), countFieldsFunction(), forwardedKeyFunction()]],
  ['claims', () => [verifiedPayloadFunction(), digFunction(), hasValueFunction()]],
  ['hash', () => [...xor8Functions(), fnv1aFunction(), bucketOfFunction(), inBucketFunction()]],
];

/** Per request values the conditions share, computed once before the rules. */
interface Prelude {
  readonly statements: LuaStatement[];
  /** Local holding the client address key, by trusted hops (0: the TCP peer). */
  readonly addressVar: Map<number, string>;
  /** Local holding the verified payload, by issuer. */
  readonly payloadVar: Map<string, string>;
  /** Local holding the hash bucket of a user key, by `key id|salt`. */
  readonly bucketVar: Map<string, string>;
}

function helpersFor(rules: readonly ColoringRule[], hosts: readonly string[] | undefined): Set<Helper> {
  const need = new Set<Helper>();
  const add = (...h: Helper[]) => h.forEach((x) => need.add(x));
  if (hosts) add('host');
  for (const r of rules) {
    if (r.kind === ColoringRuleKind.COOKIE_EQUALS) add('text', 'cookie');
    if (r.kind === ColoringRuleKind.HEADER_PREFIX) add('prefix');
    if (r.kind === ColoringRuleKind.SOURCE_ADDRESS) add('address');
    if (r.kind === ColoringRuleKind.SOURCE_ADDRESS && r.trustedProxyHops) add('text', 'address', 'forwarded');
    if (r.kind === ColoringRuleKind.JWT_CLAIM) add('claims');
    if (r.kind === ColoringRuleKind.COHORT) add('hash');
    if (r.kind === ColoringRuleKind.COHORT && r.userKey?.kind === UserKeyKind.COOKIE) add('text', 'cookie');
    if (r.kind === ColoringRuleKind.COHORT && r.userKey?.kind === UserKeyKind.JWT_CLAIM) add('claims');
  }
  return need;
}

function prelude(rules: readonly ColoringRule[]): Prelude {
  const statements: LuaStatement[] = [];
  const addressVar = new Map<number, string>();
  const payloadVar = new Map<string, string>();
  const bucketVar = new Map<string, string>();
  const pre = { statements, addressVar, payloadVar, bucketVar };
  for (const r of rules) {
    if (r.kind === ColoringRuleKind.SOURCE_ADDRESS && !addressVar.has(r.trustedProxyHops ?? 0)) {
      const hops = r.trustedProxyHops ?? 0;
      const name = `client_${addressVar.size + 1}`;
      addressVar.set(hops, name);
      statements.push(local(name, hops === 0 ? call('peer_key', HANDLE) : call('forwarded_key', HANDLE, HEADERS, n(hops))));
    }
    const issuer = r.requiredIssuer;
    if (issuer !== undefined && !payloadVar.has(issuer)) {
      const name = `payload_${payloadVar.size + 1}`;
      payloadVar.set(issuer, name);
      statements.push(local(name, call('verified_payload', HANDLE, s(issuer))));
    }
    if (r.kind === ColoringRuleKind.COHORT && !bucketVar.has(cohortGroup(r))) {
      // One hash per user key and salt per request, however many cohorts share it.
      const name = `bucket_${bucketVar.size + 1}`;
      bucketVar.set(cohortGroup(r), name);
      statements.push(local(name, call('bucket_of', userKeyValue(r, pre), s(r.salt ?? ''))));
    }
  }
  return pre;
}

/** Cohorts on one key and salt share one hash and stack their ranges. */
function cohortGroup(r: ColoringRule): string {
  return `${r.userKey!.id}|${r.salt}`;
}

/** `dig(dig(payload, "a"), "b")`: the claim at `path` of a verified payload. */
function claimAt(payload: string, path: readonly string[]): LuaExpr {
  return path.reduce<LuaExpr>((acc, key) => call('dig', acc, s(key)), v(payload));
}

/** Each cohort rule's bucket range [lo, hi): cohorts on one key and salt stack in rule order. */
function cohortRanges(rules: readonly ColoringRule[]): Map<ColoringRule, [number, number]> {
  const used = new Map<string, number>();
  const ranges = new Map<ColoringRule, [number, number]>();
  for (const r of rules.filter((x) => x.kind === ColoringRuleKind.COHORT)) {
    const group = cohortGroup(r);
    const lo = used.get(group) ?? 0;
    const hi = lo + basisPoints(r.percent!);
    used.set(group, hi);
    ranges.set(r, [lo, hi]);
  }
  return ranges;
}

/** The condition a rule compiles to. */
function condition(rule: ColoringRule, pre: Prelude, ranges: Map<ColoringRule, [number, number]>): LuaExpr {
  const get = (name: string) => lua.method(HEADERS, 'get', s(name));
  switch (rule.kind) {
    case ColoringRuleKind.HEADER_EQUALS: return lua.eq(get(rule.key!), s(rule.value!));
    case ColoringRuleKind.HEADER_PRESENT: return notNil(get(rule.key!));
    case ColoringRuleKind.HEADER_PREFIX: return call('has_prefix', get(rule.key!), s(rule.value!));
    case ColoringRuleKind.COOKIE_EQUALS: return lua.eq(call('cookie', HEADERS, s(rule.key!)), s(rule.value!));
    case ColoringRuleKind.JWT_CLAIM: return call('has_value', claimAt(pre.payloadVar.get(rule.issuer!)!, rule.claimPath!), s(rule.value!));
    case ColoringRuleKind.SOURCE_ADDRESS: {
      const key = v(pre.addressVar.get(rule.trustedProxyHops ?? 0)!);
      const blocks = rule.cidrs!.map((c) => parseCidr(c) as AddressRange);
      return blocks.map((b) => call('in_range', key, s(b.low), s(b.high)) as LuaExpr).reduce((a, b) => lua.or(a, b));
    }
    case ColoringRuleKind.COHORT: {
      const [lo, hi] = ranges.get(rule)!;
      return call('in_bucket', v(pre.bucketVar.get(cohortGroup(rule))!), n(lo), n(hi));
    }
  }
}

function userKeyValue(rule: ColoringRule, pre: Prelude): LuaExpr {
  const key = rule.userKey!;
  switch (key.kind) {
    case UserKeyKind.HEADER: return lua.method(HEADERS, 'get', s(key.name));
    case UserKeyKind.COOKIE: return call('cookie', HEADERS, s(key.name));
    case UserKeyKind.JWT_CLAIM: return claimAt(pre.payloadVar.get(key.issuer!)!, key.claimPath!);
  }
}

/** `if not (host == "a" or has_suffix(host, ".b")) then return end`: other hosts are untouched. */
function hostScope(hosts: readonly string[]): LuaStatement[] {
  const host = v('host');
  const covered = hosts.map((h) => (h.startsWith('*.') ? call('has_suffix', host, s(h.slice(1))) : lua.eq(host, s(h))) as LuaExpr)
    .reduce((a, b) => lua.or(a, b));
  return [local('host', call('request_host', HEADERS)), when(lua.not(covered), [ret()])];
}

/**
 * Builds the statements of the ingress coloring script: helper functions (only those the
 * rules use), then the global `envoy_on_request(request_handle)`.
 */
export function coloringStatements(options: ColoringScriptOptions): LuaStatement[] {
  const laneHeader = s(options.header);
  const setLane = (value: string) => lua.exec(lua.method(HEADERS, 'replace', laneHeader, s(value)));
  const hosts = options.hosts && !options.hosts.includes('*') && options.hosts.length > 0 ? [...options.hosts] : undefined;
  const need = helpersFor(options.rules, hosts);
  const helpers = HELPERS.filter(([h]) => need.has(h)).flatMap(([, make]) => make());

  const body: LuaStatement[] = [lua.local('headers', lua.method(HANDLE, 'headers'))];
  if (hosts) body.push(...hostScope(hosts));
  if (options.trustClientHeader) {
    // A lane the client chose is kept: only uncolored requests go on.
    body.push(when(notNil(lua.method(HEADERS, 'get', laneHeader)), [ret()]));
  }
  const pre = prelude(options.rules);
  body.push(...pre.statements);

  // When nothing matches: the default, or else no lane header at all (a spoofed one is removed).
  const otherwise: LuaStatement[] = options.defaultValue !== undefined
    ? [setLane(options.defaultValue)]
    : options.trustClientHeader ? [] : [lua.exec(lua.method(HEADERS, 'remove', laneHeader))];
  if (options.rules.length === 0) {
    body.push(...otherwise);
  } else {
    const ranges = cohortRanges(options.rules);
    body.push(lua.if(options.rules.map((rule) => ({ condition: condition(rule, pre, ranges), body: [setLane(rule.laneValue)] })), otherwise));
  }
  return [...helpers, lua.globalFunction('envoy_on_request', ['request_handle'], body)];
}

/** The coloring script as Lua 5.1 / LuaJIT source. */
export function coloringScript(options: ColoringScriptOptions): string {
  return renderLua(coloringStatements(options));
}

/** Sum of the shares of cohorts on one key and salt, in basis points, by `key|salt` (for checks). */
export function cohortTotals(rules: readonly ColoringRule[]): Map<string, { readonly key: string; readonly basisPoints: number }> {
  const totals = new Map<string, { key: string; basisPoints: number }>();
  for (const r of rules.filter((x) => x.kind === ColoringRuleKind.COHORT)) {
    const group = cohortGroup(r);
    const t = totals.get(group) ?? { key: `${r.userKey}${r.salt ? ` (salt ${JSON.stringify(r.salt)})` : ''}`, basisPoints: 0 };
    t.basisPoints += basisPoints(r.percent!);
    totals.set(group, t);
  }
  return totals;
}
