import { ColoringRule, ColoringRuleKind } from './coloring-rule';
import { lua, LuaExpr, LuaStatement } from '../lua/ast';
import { renderLua } from '../lua/render';

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
}

const HEADERS = lua.name('headers');
const STRING = lua.name('string');
const str = lua.str;

/** `string.<fn>(args)`. */
function stringLib(fn: string, ...args: LuaExpr[]): LuaExpr {
  return lua.call(lua.field(STRING, fn), ...args);
}

/** `string.byte(s, i) == 32 or string.byte(s, i) == 9`: a space or a tab at `i`. */
function isBlankAt(s: string, i: string): LuaExpr {
  const byte = stringLib('byte', lua.name(s), lua.name(i));
  return lua.or(lua.eq(byte, lua.num(32)), lua.eq(byte, lua.num(9)));
}

/** `local function trim(s)`: strips spaces and tabs at both ends, without Lua patterns. */
function trimFunction(): LuaStatement {
  const i = lua.name('i');
  const j = lua.name('j');
  return lua.localFunction('trim', ['s'], [
    lua.local('i', lua.num(1)),
    lua.local('j', stringLib('len', lua.name('s'))),
    lua.while(lua.and(lua.binary('<=', i, j), isBlankAt('s', 'i')), [lua.assign('i', lua.binary('+', i, lua.num(1)))]),
    lua.while(lua.and(lua.binary('>=', j, i), isBlankAt('s', 'j')), [lua.assign('j', lua.binary('-', j, lua.num(1)))]),
    lua.return(stringLib('sub', lua.name('s'), i, j)),
  ]);
}

/**
 * `local function cookie(headers, name)`: the value of the first cookie named exactly `name`
 * in the `cookie` header, or nil. Splits on `;` with a plain `string.find`, splits each part
 * at its first `=`, trims spaces and tabs. No Lua pattern is ever built from a name or value.
 */
function cookieFunction(): LuaStatement {
  const raw = lua.name('raw');
  const start = lua.name('start');
  const sep = lua.name('sep');
  const part = lua.name('part');
  const eq = lua.name('eq');
  const minus1 = (e: LuaExpr) => lua.binary('-', e, lua.num(1));
  const plus1 = (e: LuaExpr) => lua.binary('+', e, lua.num(1));
  return lua.localFunction('cookie', ['headers', 'name'], [
    lua.local('raw', lua.method(HEADERS, 'get', str('cookie'))),
    lua.if([{ condition: lua.eq(raw, lua.nil), body: [lua.return(lua.nil)] }]),
    lua.local('start', lua.num(1)),
    lua.while(lua.bool(true), [
      lua.local('sep', stringLib('find', raw, str(';'), start, lua.bool(true))),
      lua.local('part'),
      lua.if(
        [{ condition: lua.eq(sep, lua.nil), body: [lua.assign('part', stringLib('sub', raw, start))] }],
        [lua.assign('part', stringLib('sub', raw, start, minus1(sep)))],
      ),
      lua.local('eq', stringLib('find', part, str('='), lua.num(1), lua.bool(true))),
      lua.if([{
        condition: lua.and(
          lua.ne(eq, lua.nil),
          lua.eq(lua.call(lua.name('trim'), stringLib('sub', part, lua.num(1), minus1(eq))), lua.name('name')),
        ),
        body: [lua.return(lua.call(lua.name('trim'), stringLib('sub', part, plus1(eq))))],
      }]),
      lua.if([{ condition: lua.eq(sep, lua.nil), body: [lua.return(lua.nil)] }]),
      lua.assign('start', plus1(sep)),
    ]),
  ]);
}

/** `local function has_prefix(v, p)`: v is not nil and starts with p, by plain comparison. */
function hasPrefixFunction(): LuaStatement {
  const v = lua.name('v');
  const p = lua.name('p');
  return lua.localFunction('has_prefix', ['v', 'p'], [
    lua.return(lua.and(lua.ne(v, lua.nil), lua.eq(stringLib('sub', v, lua.num(1), stringLib('len', p)), p))),
  ]);
}

/** The condition a rule compiles to. */
function condition(rule: ColoringRule): LuaExpr {
  const get = (name: string) => lua.method(HEADERS, 'get', str(name));
  switch (rule.kind) {
    case ColoringRuleKind.HEADER_EQUALS: return lua.eq(get(rule.key), str(rule.value!));
    case ColoringRuleKind.HEADER_PRESENT: return lua.ne(get(rule.key), lua.nil);
    case ColoringRuleKind.HEADER_PREFIX: return lua.call(lua.name('has_prefix'), get(rule.key), str(rule.value!));
    case ColoringRuleKind.COOKIE_EQUALS: return lua.eq(lua.call(lua.name('cookie'), HEADERS, str(rule.key)), str(rule.value!));
  }
}

/**
 * Builds the statements of the ingress coloring script: helper functions (only those the
 * rules use), then the global `envoy_on_request(request_handle)`.
 */
export function coloringStatements(options: ColoringScriptOptions): LuaStatement[] {
  const laneHeader = str(options.header);
  const set = (value: string) => lua.exec(lua.method(HEADERS, 'replace', laneHeader, str(value)));
  const kinds = new Set(options.rules.map(r => r.kind));

  const helpers: LuaStatement[] = [];
  if (kinds.has(ColoringRuleKind.COOKIE_EQUALS)) helpers.push(trimFunction(), cookieFunction());
  if (kinds.has(ColoringRuleKind.HEADER_PREFIX)) helpers.push(hasPrefixFunction());

  const body: LuaStatement[] = [lua.local('headers', lua.method(lua.name('request_handle'), 'headers'))];
  if (options.trustClientHeader) {
    // A lane the client chose is kept: only uncolored requests go on.
    body.push(lua.if([{ condition: lua.ne(lua.method(HEADERS, 'get', laneHeader), lua.nil), body: [lua.return()] }]));
  }

  // When nothing matches: the default, or else no lane header at all (a spoofed one is removed).
  const otherwise: LuaStatement[] = options.defaultValue !== undefined
    ? [set(options.defaultValue)]
    : options.trustClientHeader ? [] : [lua.exec(lua.method(HEADERS, 'remove', laneHeader))];

  if (options.rules.length === 0) {
    body.push(...otherwise);
  } else {
    body.push(lua.if(options.rules.map(rule => ({ condition: condition(rule), body: [set(rule.laneValue)] })), otherwise));
  }
  // Filters ahead of this one in the gateway's chain (fault, CORS) may already have chosen the
  // route from the uncolored headers: have Envoy choose it again (Envoy 1.32+; older Envoy has
  // no clearRouteCache, and its userdata answers nil for the missing method).
  const handle = lua.name('request_handle');
  body.push(lua.if([{ condition: lua.ne(lua.field(handle, 'clearRouteCache'), lua.nil), body: [lua.exec(lua.method(handle, 'clearRouteCache'))] }]));
  return [...helpers, lua.globalFunction('envoy_on_request', ['request_handle'], body)];
}

/** The coloring script as Lua 5.1 / LuaJIT source. */
export function coloringScript(options: ColoringScriptOptions): string {
  return renderLua(coloringStatements(options));
}
