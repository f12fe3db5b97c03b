/**
 * Text helpers of the coloring script (Lua 5.1 / LuaJIT): trimming, cookies, prefixes and
 * suffixes, comma-separated fields and the request's host. Every search is a plain
 * `string.find(..., true)`; no Lua pattern is ever built from a name or value.
 */
import { either, fn, findPlain, isNil, len, local, minus, n, notNil, plus, ret, s, set, str, sub, v, when } from './lua-dsl';
import { lua, LuaExpr, LuaStatement } from '../lua/ast';

const HEADERS = v('headers');

/** `string.byte(s, i) == 32 or string.byte(s, i) == 9`: a space or a tab at `i`. */
function isBlankAt(text: string, i: string): LuaExpr {
  const byte = str('byte', v(text), v(i));
  return lua.or(lua.eq(byte, n(32)), lua.eq(byte, n(9)));
}

/** `local function trim(s)`: strips spaces and tabs at both ends, without Lua patterns. */
export function trimFunction(): LuaStatement {
  const i = v('i');
  const j = v('j');
  return fn('trim', ['s'], [
    local('i', n(1)),
    local('j', len(v('s'))),
    lua.while(lua.and(lua.binary('<=', i, j), isBlankAt('s', 'i')), [set('i', plus(i, n(1)))]),
    lua.while(lua.and(lua.binary('>=', j, i), isBlankAt('s', 'j')), [set('j', minus(j, n(1)))]),
    ret(sub(v('s'), i, j)),
  ]);
}

/**
 * `local function cookie(headers, name)`: the value of the first cookie named exactly `name`
 * in the `cookie` header, or nil. Splits on `;` with a plain `string.find`, splits each part
 * at its first `=`, trims spaces and tabs.
 */
export function cookieFunction(): LuaStatement {
  const raw = v('raw');
  const start = v('start');
  const sep = v('sep');
  const part = v('part');
  const eq = v('eq');
  return fn('cookie', ['headers', 'name'], [
    local('raw', lua.method(HEADERS, 'get', s('cookie'))),
    when(isNil(raw), [ret(lua.nil)]),
    local('start', n(1)),
    lua.while(lua.bool(true), [
      local('sep', findPlain(raw, ';', start)),
      local('part'),
      either(isNil(sep), [set('part', sub(raw, start))], [set('part', sub(raw, start, minus(sep, n(1))))]),
      local('eq', findPlain(part, '=')),
      when(lua.and(notNil(eq), lua.eq(lua.call(v('trim'), sub(part, n(1), minus(eq, n(1)))), v('name'))), [
        ret(lua.call(v('trim'), sub(part, plus(eq, n(1))))),
      ]),
      when(isNil(sep), [ret(lua.nil)]),
      set('start', plus(sep, n(1))),
    ]),
  ]);
}

/** `local function has_prefix(v, p)`: v is not nil and starts with p, by plain comparison. */
export function hasPrefixFunction(): LuaStatement {
  return fn('has_prefix', ['v', 'p'], [
    ret(lua.and(notNil(v('v')), lua.eq(sub(v('v'), n(1), len(v('p'))), v('p')))),
  ]);
}

/** `local function has_suffix(v, p)`: v is longer than p and ends with it (a wildcard host's subdomain). */
export function hasSuffixFunction(): LuaStatement {
  const total = len(v('v'));
  return fn('has_suffix', ['v', 'p'], [
    ret(lua.and(lua.binary('>', total, len(v('p'))), lua.eq(sub(v('v'), plus(minus(total, len(v('p'))), n(1))), v('p')))),
  ]);
}

/**
 * `local function request_host(headers)`: the `:authority` in lowercase, without a port and a
 * trailing dot ("" when absent), as Envoy matches virtual host domains (case-insensitively).
 */
export function requestHostFunction(): LuaStatement {
  const a = v('a');
  return fn('request_host', ['headers'], [
    local('a', lua.method(HEADERS, 'get', s(':authority'))),
    when(isNil(a), [ret(s(''))]),
    set('a', str('lower', a)),
    local('colon', findPlain(a, ':')),
    when(notNil(v('colon')), [set('a', sub(a, n(1), minus(v('colon'), n(1))))]),
    local('size', len(a)),
    when(lua.and(lua.binary('>', v('size'), n(0)), lua.eq(str('byte', a, v('size')), n(46))), [set('a', sub(a, n(1), minus(v('size'), n(1))))]),
    ret(a),
  ]);
}

/** `local function field(s, k)`: the k-th comma-separated field of s (1-based; k must exist). */
export function fieldFunction(): LuaStatement {
  const start = v('start');
  return fn('field', ['s', 'k'], [
    local('start', n(1)),
    local('i', n(1)),
    lua.while(lua.binary('<', v('i'), v('k')), [
      set('start', plus(findPlain(v('s'), ',', start), n(1))),
      set('i', plus(v('i'), n(1))),
    ]),
    local('stop', findPlain(v('s'), ',', start)),
    when(isNil(v('stop')), [ret(sub(v('s'), start))]),
    ret(sub(v('s'), start, minus(v('stop'), n(1)))),
  ]);
}

/** `local function count_fields(s)`: how many comma-separated fields s has. */
export function countFieldsFunction(): LuaStatement {
  return fn('count_fields', ['s'], [
    local('count', n(1)),
    local('at', findPlain(v('s'), ',')),
    lua.while(notNil(v('at')), [
      set('count', plus(v('count'), n(1))),
      set('at', findPlain(v('s'), ',', plus(v('at'), n(1)))),
    ]),
    ret(v('count')),
  ]);
}
