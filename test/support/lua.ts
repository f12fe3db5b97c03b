/**
 * Test support for generated Lua:
 * - {@link checkLuaSyntax}: parses with luaparse as LuaJIT and as Lua 5.1 (what Envoy runs);
 * - {@link runOnRequest}: runs a script's `envoy_on_request` in fengari (Lua 5.3 in JS,
 *   synchronous) against a mock Envoy `request_handle`, and reports every call it made.
 *
 * The mock is written in Lua (below) so it behaves like Envoy 1.31's userdata (Istio 1.23): the
 * request_handle methods are `:headers()` and `:streamInfo()`; the header methods
 * `get/add/replace/remove`; the stream info methods `downstreamDirectRemoteAddress()` and
 * `dynamicMetadata()`, whose `get(filterName)` returns the filter's metadata as a table (lists
 * as 1-based arrays, as Envoy's `MetadataMapHelper::setValue` builds them). Anything else —
 * including `clearRouteCache()`, which Envoy 1.31 does not have — raises an error. `get`
 * returns nil when the header is absent and joins repeated values with `,` as Envoy does.
 * Header names are compared in lowercase. Every header change counts as a route-cache clear
 * (Envoy 1.31's `onHeadersModified`), reported as `routeCacheCleared`.
 */
import * as luaparse from 'luaparse';

// fengari ships no type declarations: describe the few calls used here.
interface FengariState { readonly __brand?: 'lua_State' }
interface Fengari {
  lua: {
    lua_pcall(L: FengariState, nargs: number, nresults: number, msgh: number): number;
    lua_setglobal(L: FengariState, name: Uint8Array): void;
    lua_newtable(L: FengariState): void;
    lua_pushstring(L: FengariState, s: Uint8Array): void;
    lua_pushboolean(L: FengariState, b: boolean): void;
    lua_settable(L: FengariState, idx: number): void;
    lua_getfield(L: FengariState, idx: number, k: Uint8Array): number;
    lua_rawgeti(L: FengariState, idx: number, n: number): number;
    lua_rawlen(L: FengariState, idx: number): number;
    lua_tostring(L: FengariState, idx: number): Uint8Array | null;
    lua_pop(L: FengariState, n: number): void;
  };
  lauxlib: {
    luaL_newstate(): FengariState;
    luaL_loadstring(L: FengariState, s: Uint8Array): number;
  };
  lualib: { luaL_openlibs(L: FengariState): void };
  to_luastring(s: string): Uint8Array;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari: Fengari = require('fengari');
const { lua, lauxlib, lualib, to_luastring } = fengari;

/**
 * Parses `code` as LuaJIT and as Lua 5.1 and returns the global names it uses.
 * Throws luaparse's error (with line and column) on a syntax error.
 */
export function checkLuaSyntax(code: string): string[] {
  luaparse.parse(code, { luaVersion: '5.1' });
  const chunk = luaparse.parse(code, { luaVersion: 'LuaJIT', scope: true }) as luaparse.Chunk & { globals?: luaparse.Identifier[] };
  return [...new Set((chunk.globals ?? []).map(g => g.name))].sort();
}

/** One call the script made on the mock: `['get', 'agent']`, `['replace', name, value]`. */
export type MockCall = string[];

/** What the gateway knows about a request besides its headers. */
export interface RequestContext {
  /** `streamInfo():downstreamDirectRemoteAddress()`: the TCP peer, `ip:port` or `[ip6]:port`. @default '198.51.100.7:51234' */
  readonly directRemoteAddress?: string;
  /** Dynamic metadata by filter name (e.g. `envoy.filters.http.jwt_authn`); JSON-like values. @default - none */
  readonly dynamicMetadata?: Record<string, unknown>;
}

/** What a run of `envoy_on_request` did. */
export interface OnRequestResult {
  /** Every call on request_handle and on the headers object, in order. */
  readonly calls: MockCall[];
  /** Only the calls that change headers (`add`, `replace`, `remove`). */
  readonly mutations: MockCall[];
  /** The request headers afterwards (repeated values joined with `,`). */
  readonly headers: Record<string, string>;
  /** Globals the script defined besides `envoy_on_request`. */
  readonly leakedGlobals: string[];
  /** Whether Envoy 1.31 would choose the route again (any header change clears the route cache). */
  readonly routeCacheCleared: boolean;
}

/**
 * A JSON-like value as a Lua expression (test support only, independent of src/): every string
 * byte as a `\ddd` escape, numbers as they print, arrays as 1-based tables.
 */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return `"${[...Buffer.from(value, 'utf8')].map((b) => `\\${String(b).padStart(3, '0')}`).join('')}"`;
  if (Array.isArray(value)) return `{ ${value.map(luaLiteral).join(', ')} }`;
  return `{ ${Object.entries(value as object).map(([k, x]) => `[${luaLiteral(k)}] = ${luaLiteral(x)}`).join(', ')} }`;
}

const DRIVER = `
local calls, store = {}, {}
local function record(...) calls[#calls + 1] = { ... } end
local function key(k) assert(type(k) == "string", "header name must be a string"); return string.lower(k) end
local function strict(t, what)
  return setmetatable(t, { __index = function(_, name) error("unexpected " .. what .. " call: " .. tostring(name)) end })
end
for k, v in pairs(__input) do store[string.lower(k)] = { v } end
local headers = strict({}, "headers")
function headers:get(k) record("get", k); local l = store[key(k)]; if l == nil then return nil end; return table.concat(l, ",") end
function headers:add(k, v) record("add", k, v); assert(type(v) == "string"); local l = store[key(k)] or {}; l[#l + 1] = v; store[key(k)] = l end
function headers:replace(k, v) record("replace", k, v); assert(type(v) == "string"); store[key(k)] = { v } end
function headers:remove(k) record("remove", k); store[key(k)] = nil end
local metadata = strict({}, "dynamicMetadata")
function metadata:get(name) record("metadata.get", name); assert(type(name) == "string"); return __metadata[name] end
local info = strict({}, "streamInfo")
function info:downstreamDirectRemoteAddress() record("downstreamDirectRemoteAddress"); return __peer end
function info:dynamicMetadata() record("dynamicMetadata"); return metadata end
local handle = strict({}, "request_handle")
function handle:headers() record("headers"); assert(self == handle); return headers end
function handle:streamInfo() record("streamInfo"); assert(self == handle); return info end

local before = {}
for name in pairs(_G) do before[name] = true end
__script()
assert(type(envoy_on_request) == "function", "the script defines no envoy_on_request")
envoy_on_request(handle)
local leaked, flat = {}, {}
for name in pairs(_G) do
  if not before[name] and name ~= "envoy_on_request" then leaked[#leaked + 1] = name end
end
for k, l in pairs(store) do flat[#flat + 1] = { k, table.concat(l, ",") } end
return { calls = calls, headers = flat, leaked = leaked }
`;

/**
 * Runs `script` then `envoy_on_request(handle)` with request headers `input` (and the peer
 * address and dynamic metadata of `context`) in a fresh fengari state. Throws if the script does
 * not load or raises an error.
 */
export function runOnRequest(script: string, input: Record<string, string>, context: RequestContext = {}): OnRequestResult {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const setup = `__peer = ${luaLiteral(context.directRemoteAddress ?? '198.51.100.7:51234')}\n__metadata = ${luaLiteral(context.dynamicMetadata ?? {})}`;
  if (lauxlib.luaL_loadstring(L, to_luastring(setup)) !== 0 || lua.lua_pcall(L, 0, 0, 0) !== 0) throw new Error(`Lua setup error: ${str(L, -1)}`);
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== 0) throw new Error(`Lua load error: ${str(L, -1)}`);
  lua.lua_setglobal(L, to_luastring('__script'));
  lua.lua_newtable(L);
  for (const [k, v] of Object.entries(input)) {
    lua.lua_pushstring(L, to_luastring(k));
    lua.lua_pushstring(L, to_luastring(v));
    lua.lua_settable(L, -3);
  }
  lua.lua_setglobal(L, to_luastring('__input'));
  if (lauxlib.luaL_loadstring(L, to_luastring(DRIVER)) !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) {
    throw new Error(`Lua runtime error: ${str(L, -1)}`);
  }
  const calls = field(L, 'calls');
  const flat = field(L, 'headers');
  const leaked = readList(L, 'leaked');
  const mutations = calls.filter(c => c[0] === 'add' || c[0] === 'replace' || c[0] === 'remove');
  return {
    calls,
    mutations,
    routeCacheCleared: mutations.length > 0,
    headers: Object.fromEntries(flat.map(([k, v]) => [k, v])),
    leakedGlobals: leaked,
  };
}

/**
 * Runs `envoy_on_request` of `script` on many requests in ONE Lua state (as one Envoy worker
 * would) and returns the value of `header` after each ('' when absent). Each request gets fresh
 * headers; `contexts[i]` (or `context`) gives its peer address and metadata.
 */
export function laneAfterEach(script: string, header: string, requests: readonly Record<string, string>[], context: RequestContext = {}): string[] {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  // The requests go in through the C API (no source to parse): __requests[i] = { name = value }.
  lua.lua_newtable(L);
  requests.forEach((request, i) => {
    lua.lua_pushstring(L, to_luastring(String(i + 1)));
    lua.lua_newtable(L);
    for (const [k, v] of Object.entries(request)) {
      lua.lua_pushstring(L, to_luastring(k.toLowerCase()));
      lua.lua_pushstring(L, to_luastring(v));
      lua.lua_settable(L, -3);
    }
    lua.lua_settable(L, -3);
  });
  lua.lua_setglobal(L, to_luastring('__requests'));
  const code = `
local store = {}
local headers = {}
function headers:get(k) return store[string.lower(k)] end
function headers:replace(k, v) store[string.lower(k)] = v end
function headers:remove(k) store[string.lower(k)] = nil end
local md = ${luaLiteral(context.dynamicMetadata ?? {})}
local metadata = {}
function metadata:get(name) return md[name] end
local info = {}
function info:downstreamDirectRemoteAddress() return ${luaLiteral(context.directRemoteAddress ?? '198.51.100.7:51234')} end
function info:dynamicMetadata() return metadata end
local handle = {}
function handle:headers() return headers end
function handle:streamInfo() return info end
__script()
local out = {}
local i = 1
while __requests[tostring(i)] ~= nil do
  store = {}
  for k, v in pairs(__requests[tostring(i)]) do store[k] = v end
  envoy_on_request(handle)
  out[i] = store[${luaLiteral(header.toLowerCase())}] or ""
  i = i + 1
end
return table.concat(out, "\\n")
`;
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== 0) throw new Error(`Lua load error: ${str(L, -1)}`);
  lua.lua_setglobal(L, to_luastring('__script'));
  if (lauxlib.luaL_loadstring(L, to_luastring(code)) !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) throw new Error(`Lua runtime error: ${str(L, -1)}`);
  return requests.length === 0 ? [] : str(L, -1).split('\n');
}

/** Evaluates a Lua expression in fengari and returns its value as a JS string (UTF-8). */
export function evalLuaString(expression: string): string {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  if (lauxlib.luaL_loadstring(L, to_luastring(`return ${expression}`)) !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) {
    throw new Error(`Lua error: ${str(L, -1)}`);
  }
  return str(L, -1);
}

/** Lua's bytes at `idx` decoded as UTF-8. */
function str(L: FengariState, idx: number): string {
  const bytes = lua.lua_tostring(L, idx);
  return bytes === null ? '<nil>' : Buffer.from(bytes).toString('utf8');
}

/** Reads result[name] as a list of lists of strings. */
function field(L: FengariState, name: string): string[][] {
  lua.lua_getfield(L, -1, to_luastring(name));
  const rows: string[][] = [];
  for (let i = 1; i <= lua.lua_rawlen(L, -1); i++) {
    lua.lua_rawgeti(L, -1, i);
    const row: string[] = [];
    for (let j = 1; j <= lua.lua_rawlen(L, -1); j++) {
      lua.lua_rawgeti(L, -1, j);
      row.push(str(L, -1));
      lua.lua_pop(L, 1);
    }
    rows.push(row);
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return rows;
}

/** Reads result[name] as a list of strings. */
function readList(L: FengariState, name: string): string[] {
  lua.lua_getfield(L, -1, to_luastring(name));
  const out: string[] = [];
  for (let i = 1; i <= lua.lua_rawlen(L, -1); i++) {
    lua.lua_rawgeti(L, -1, i);
    out.push(str(L, -1));
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return out;
}
