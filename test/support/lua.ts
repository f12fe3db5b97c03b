/**
 * Test support for generated Lua:
 * - {@link checkLuaSyntax}: parses with luaparse as LuaJIT and as Lua 5.1 (what Envoy runs);
 * - {@link runOnRequest}: runs a script's `envoy_on_request` in fengari (Lua 5.3 in JS,
 *   synchronous) against a mock Envoy `request_handle`, and reports every call it made.
 *
 * The mock is written in Lua (below) so it behaves like Envoy's userdata: `:headers()` is the
 * only request_handle method, `get/add/replace/remove` the only header methods; anything else
 * raises an error. `get` returns nil when the header is absent and joins repeated values with
 * `,` as Envoy does. Header names are compared in lowercase.
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
local handle = setmetatable({}, { __index = function(_, name)
  -- Envoy before 1.32 has no clearRouteCache: its userdata answers nil for an unknown method.
  if name == "clearRouteCache" and not __clear_route_cache then return nil end
  error("unexpected request_handle call: " .. tostring(name))
end })
function handle:headers() record("headers"); assert(self == handle); return headers end
if __clear_route_cache then
  function handle:clearRouteCache() record("clearRouteCache"); assert(self == handle) end
end

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
 * Runs `script` then `envoy_on_request(handle)` with request headers `input` in a fresh
 * fengari state. Throws if the script does not load or raises an error.
 */
export function runOnRequest(script: string, input: Record<string, string>, options: { readonly envoyHasClearRouteCache?: boolean } = {}): OnRequestResult {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushboolean(L, options.envoyHasClearRouteCache ?? true);
  lua.lua_setglobal(L, to_luastring('__clear_route_cache'));
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
  return {
    calls,
    mutations: calls.filter(c => c[0] === 'add' || c[0] === 'replace' || c[0] === 'remove'),
    headers: Object.fromEntries(flat.map(([k, v]) => [k, v])),
    leakedGlobals: leaked,
  };
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
