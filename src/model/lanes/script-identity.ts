/**
 * Identity helpers of the coloring script (Lua 5.1 / LuaJIT, no bit operators, doubles only):
 *
 * - addresses: parse IPv4 and IPv6 text into the 32-hex-digit key of src/model/security/address.ts
 *   (IPv4 as `::ffff:a.b.c.d`), so a CIDR block is a string range compared with `<=`;
 * - verified JWT claims: the payload the JWT filter left in dynamic metadata;
 * - sticky cohorts: 32-bit FNV-1a over the key's bytes, XOR by lookups of 4-bit halves in a constant string,
 *   the multiplication split so every intermediate value stays below 2^42.
 *
 * Constant Lua patterns (`^[0-9]+$`) check digits; no pattern is ever built from input.
 */
import {
  call, concat, either, findPlain, fn, isNil, isType, len, local, minus, n, notNil, plus, ret, s, set, str, sub, v, when,
} from './lua-dsl';
import { lua, LuaExpr, LuaStatement } from '../lua/ast';
import { IPV4_MAPPED_PREFIX } from '../security/address';

/** Where Istio 1.23 (proxies 1.21+, "extended JWT") puts the verified payload: this filter's metadata, key "payload". */
export const JWT_METADATA_NAMESPACE = 'envoy.filters.http.jwt_authn';
export const JWT_METADATA_PAYLOAD_KEY = 'payload';
/** Hash buckets of a cohort: basis points. */
export const COHORT_BUCKETS = 10000;

const FNV_OFFSET_BASIS = 2166136261;
const TWO_POW_24 = 16777216;
/** The FNV prime 16777619 = 2^24 + 403. */
const FNV_PRIME_LOW = 403;
const TWO_POW_32 = 4294967296;

const or = lua.or;
const and = lua.and;
const gt = (a: LuaExpr, b: LuaExpr) => lua.binary('>', a, b);
const mod = (a: LuaExpr, b: LuaExpr) => lua.binary('%', a, b);
const times = (a: LuaExpr, b: LuaExpr) => lua.binary('*', a, b);

/** `local function ipv4_hex(s)`: 8 hex digits of a dotted quad (decimal, no leading zeros), or nil. */
export function ipv4HexFunction(): LuaStatement {
  const part = v('part');
  const size = v('size');
  return fn('ipv4_hex', ['s'], [
    local('out', s('')),
    local('count', n(0)),
    local('start', n(1)),
    lua.while(lua.bool(true), [
      local('dot', findPlain(v('s'), '.', v('start'))),
      local('part'),
      either(isNil(v('dot')), [set('part', sub(v('s'), v('start')))], [set('part', sub(v('s'), v('start'), minus(v('dot'), n(1))))]),
      local('size', len(part)),
      when(or(or(lua.eq(size, n(0)), gt(size, n(3))), isNil(str('find', part, s('^[0-9]+$')))), [ret(lua.nil)]),
      when(and(gt(size, n(1)), lua.eq(str('byte', part, n(1)), n(48))), [ret(lua.nil)]),
      local('octet', call('tonumber', part)),
      when(gt(v('octet'), n(255)), [ret(lua.nil)]),
      set('out', concat(v('out'), str('format', s('%02x'), v('octet')))),
      set('count', plus(v('count'), n(1))),
      when(isNil(v('dot')), [lua.break]),
      when(lua.eq(v('count'), n(4)), [ret(lua.nil)]),
      set('start', plus(v('dot'), n(1))),
    ]),
    when(lua.ne(v('count'), n(4)), [ret(lua.nil)]),
    ret(v('out')),
  ]);
}

/**
 * `local function groups_hex(s, allow_v4)`: the 16-bit groups of one side of `::` as 4 hex
 * digits each ("" for an empty side); a dotted-quad last group only where allowed; nil if invalid.
 */
export function groupsHexFunction(): LuaStatement {
  const g = v('g');
  const size = v('size');
  return fn('groups_hex', ['s', 'allow_v4'], [
    when(lua.eq(v('s'), s('')), [ret(s(''))]),
    local('out', s('')),
    local('start', n(1)),
    lua.while(lua.bool(true), [
      local('colon', findPlain(v('s'), ':', v('start'))),
      local('g'),
      either(isNil(v('colon')), [set('g', sub(v('s'), v('start')))], [set('g', sub(v('s'), v('start'), minus(v('colon'), n(1))))]),
      when(and(and(isNil(v('colon')), v('allow_v4')), notNil(findPlain(g, '.'))), [
        local('v4', call('ipv4_hex', g)),
        when(isNil(v('v4')), [ret(lua.nil)]),
        ret(concat(v('out'), v('v4'))),
      ]),
      local('size', len(g)),
      when(or(or(lua.eq(size, n(0)), gt(size, n(4))), isNil(str('find', g, s('^[0-9a-fA-F]+$')))), [ret(lua.nil)]),
      set('out', concat(concat(v('out'), str('rep', s('0'), minus(n(4), size))), str('lower', g))),
      when(isNil(v('colon')), [lua.break]),
      set('start', plus(v('colon'), n(1))),
    ]),
    ret(v('out')),
  ]);
}

/** `local function ip_key(s)`: the 32-hex-digit key of an IPv4 or IPv6 address, or nil. */
export function ipKeyFunction(): LuaStatement {
  const gap = v('gap');
  return fn('ip_key', ['s'], [
    when(lua.not(isType(v('s'), 'string')), [ret(lua.nil)]),
    when(isNil(findPlain(v('s'), ':')), [
      local('v4', call('ipv4_hex', v('s'))),
      when(isNil(v('v4')), [ret(lua.nil)]),
      ret(concat(s(IPV4_MAPPED_PREFIX), v('v4'))),
    ]),
    local('gap', findPlain(v('s'), '::')),
    when(isNil(gap), [
      local('all', call('groups_hex', v('s'), lua.bool(true))),
      when(or(isNil(v('all')), lua.ne(len(v('all')), n(32))), [ret(lua.nil)]),
      ret(v('all')),
    ]),
    local('head', call('groups_hex', sub(v('s'), n(1), minus(gap, n(1))), lua.bool(false))),
    local('tail', call('groups_hex', sub(v('s'), plus(gap, n(2))), lua.bool(true))),
    when(or(isNil(v('head')), isNil(v('tail'))), [ret(lua.nil)]),
    local('fill', minus(minus(n(32), len(v('head'))), len(v('tail')))),
    when(lua.binary('<', v('fill'), n(4)), [ret(lua.nil)]),
    ret(concat(concat(v('head'), str('rep', s('0'), v('fill'))), v('tail'))),
  ]);
}

/**
 * `local function peer_key(handle)`: the key of the TCP peer's address
 * (`streamInfo():downstreamDirectRemoteAddress()`, `ip:port` or `[ip6]:port`), or nil.
 */
export function peerKeyFunction(): LuaStatement {
  const a = v('a');
  return fn('peer_key', ['handle'], [
    local('a', lua.method(lua.method(v('handle'), 'streamInfo'), 'downstreamDirectRemoteAddress')),
    when(lua.not(isType(a, 'string')), [ret(lua.nil)]),
    when(lua.eq(sub(a, n(1), n(1)), s('[')), [
      local('close', findPlain(a, ']')),
      when(isNil(v('close')), [ret(lua.nil)]),
      ret(call('ip_key', sub(a, n(2), minus(v('close'), n(1))))),
    ]),
    local('colon', findPlain(a, ':')),
    when(isNil(v('colon')), [ret(call('ip_key', a))]),
    ret(call('ip_key', sub(a, n(1), minus(v('colon'), n(1))))),
  ]);
}

/**
 * `local function forwarded_key(handle, headers, hops)`: the key of the client address in
 * X-Forwarded-For behind `hops` trusted proxies. The gateway (use_remote_address on Istio
 * gateways) appended its TCP peer last; the client is `hops` entries left of that. nil when the
 * last entry is not the peer (nothing was appended) or there are too few entries.
 */
export function forwardedKeyFunction(): LuaStatement {
  const xff = v('xff');
  const count = v('count');
  return fn('forwarded_key', ['handle', 'headers', 'hops'], [
    local('xff', lua.method(v('headers'), 'get', s('x-forwarded-for'))),
    when(isNil(xff), [ret(lua.nil)]),
    local('count', call('count_fields', xff)),
    when(lua.binary('<', minus(count, v('hops')), n(1)), [ret(lua.nil)]),
    local('last', call('ip_key', call('trim', call('field', xff, count)))),
    when(or(isNil(v('last')), lua.ne(v('last'), call('peer_key', v('handle')))), [ret(lua.nil)]),
    ret(call('ip_key', call('trim', call('field', xff, minus(count, v('hops')))))),
  ]);
}

/** `local function in_range(k, lo, hi)`: k is a key within [lo, hi] (fixed-width hex compares as numbers). */
export function inRangeFunction(): LuaStatement {
  return fn('in_range', ['k', 'lo', 'hi'], [
    ret(and(and(notNil(v('k')), lua.binary('>=', v('k'), v('lo'))), lua.binary('<=', v('k'), v('hi')))),
  ]);
}

/**
 * `local function verified_payload(handle, iss)`: the payload of a JWT the gateway's JWT filter
 * verified, if its `iss` is `iss`; else nil. Only the JWT filter writes this metadata (clients
 * cannot), and it writes it only after verifying the signature, issuer and expiry.
 */
export function verifiedPayloadFunction(): LuaStatement {
  const md = v('md');
  const p = v('p');
  return fn('verified_payload', ['handle', 'iss'], [
    local('md', lua.method(lua.method(lua.method(v('handle'), 'streamInfo'), 'dynamicMetadata'), 'get', s(JWT_METADATA_NAMESPACE))),
    when(lua.not(isType(md, 'table')), [ret(lua.nil)]),
    local('p', lua.index(md, s(JWT_METADATA_PAYLOAD_KEY))),
    when(or(lua.not(isType(p, 'table')), lua.ne(lua.index(p, s('iss')), v('iss'))), [ret(lua.nil)]),
    ret(p),
  ]);
}

/** `local function dig(t, k)`: t[k] when t is a table, else nil. */
export function digFunction(): LuaStatement {
  return fn('dig', ['t', 'k'], [
    when(lua.not(isType(v('t'), 'table')), [ret(lua.nil)]),
    ret(lua.index(v('t'), v('k'))),
  ]);
}

/** `local function has_value(c, want)`: c is the string want, or a list containing it. */
export function hasValueFunction(): LuaStatement {
  const c = v('c');
  const item = lua.index(c, v('i'));
  return fn('has_value', ['c', 'want'], [
    when(isType(c, 'string'), [ret(lua.eq(c, v('want')))]),
    when(lua.not(isType(c, 'table')), [ret(lua.bool(false))]),
    local('i', n(1)),
    lua.while(notNil(item), [
      when(lua.eq(item, v('want')), [ret(lua.bool(true))]),
      set('i', plus(v('i'), n(1))),
    ]),
    ret(lua.bool(false)),
  ]);
}

/**
 * The XOR of two 4-bit values as a 256-character string: the character at `16 * x + y + 1` is
 * `"a" + (x XOR y)`. Computed here with arithmetic (bit by bit), so Lua needs no bit operator.
 */
export function xor4Table(): string {
  let table = '';
  for (let x = 0; x < 16; x++) {
    for (let y = 0; y < 16; y++) {
      let r = 0;
      for (let bit = 1, a = x, b = y; bit < 16; bit *= 2, a = Math.floor(a / 2), b = Math.floor(b / 2)) {
        if (a % 2 !== b % 2) r += bit;
      }
      table += String.fromCharCode(97 + r);
    }
  }
  return table;
}

/**
 * `local xor4_table = "..."` and `local function xor8(a, b)`: bitwise XOR of two bytes from two
 * lookups of 4-bit halves in {@link xor4Table} (`%` and `/` split the bytes; no bit operator).
 */
export function xor8Functions(): LuaStatement[] {
  const nibble = (hi: LuaExpr, lo: LuaExpr) => minus(str('byte', v('xor4_table'), plus(plus(times(hi, n(16)), lo), n(1))), n(97));
  return [
    local('xor4_table', s(xor4Table())),
    fn('xor8', ['a', 'b'], [
      local('la', mod(v('a'), n(16))),
      local('lb', mod(v('b'), n(16))),
      local('ha', lua.binary('/', minus(v('a'), v('la')), n(16))),
      local('hb', lua.binary('/', minus(v('b'), v('lb')), n(16))),
      ret(plus(times(nibble(v('ha'), v('hb')), n(16)), nibble(v('la'), v('lb')))),
    ]),
  ];
}

/**
 * `local function fnv1a(s)`: 32-bit FNV-1a of the bytes of s. The product h * 16777619 mod 2^32
 * is computed as (h mod 2^8) * 2^24 + h * 403, both exact in doubles (below 2^42).
 */
export function fnv1aFunction(): LuaStatement {
  const h = v('h');
  return fn('fnv1a', ['s'], [
    local('h', n(FNV_OFFSET_BASIS)),
    local('i', n(1)),
    lua.while(lua.binary('<=', v('i'), len(v('s'))), [
      local('low', mod(h, n(256))),
      set('h', plus(minus(h, v('low')), call('xor8', v('low'), str('byte', v('s'), v('i'))))),
      set('h', mod(plus(times(mod(h, n(256)), n(TWO_POW_24)), times(h, n(FNV_PRIME_LOW))), n(TWO_POW_32))),
      set('i', plus(v('i'), n(1))),
    ]),
    ret(h),
  ]);
}

/** `local function bucket_of(key, salt)`: fnv1a(salt .. key) mod 10000, or nil without a (string) key. */
export function bucketOfFunction(): LuaStatement {
  return fn('bucket_of', ['key', 'salt'], [
    when(or(lua.not(isType(v('key'), 'string')), lua.eq(v('key'), s(''))), [ret(lua.nil)]),
    ret(mod(call('fnv1a', concat(v('salt'), v('key'))), n(COHORT_BUCKETS))),
  ]);
}

/** `local function in_bucket(b, lo, hi)`: the bucket is known and in [lo, hi). */
export function inBucketFunction(): LuaStatement {
  return fn('in_bucket', ['b', 'lo', 'hi'], [
    ret(and(and(notNil(v('b')), lua.binary('>=', v('b'), v('lo'))), lua.binary('<', v('b'), v('hi')))),
  ]);
}
