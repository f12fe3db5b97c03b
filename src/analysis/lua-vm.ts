/**
 * Runs an EnvoyFilter's Lua (`envoy_on_request`) the way Envoy's Lua filter would, in fengari
 * (Lua 5.3 in JavaScript, synchronous), against a mock `request_handle` written in Lua below.
 *
 * The mock follows Envoy 1.31 (the Envoy of Istio 1.23), `source/extensions/filters/http/lua/`:
 * - `request_handle:headers()` → `get` (repeated values joined with ","), `getAtIndex`,
 *   `getNumValues`, `add` (appends), `replace`, `remove`, and `pairs()` iteration; header names
 *   are lowercase, pseudo-headers (`:authority`, `:path`, `:method`, `:scheme`) are in the map;
 * - `request_handle:streamInfo()` → `protocol`, `dynamicMetadata():get/set`,
 *   `downstreamDirectRemoteAddress`, `downstreamRemoteAddress`, `downstreamLocalAddress`,
 *   `requestedServerName`;
 * - `request_handle:respond(headers, body)` ends the request with a local reply;
 * - `request_handle:log*()` print nothing.
 * Any other name looked up on these objects is nil, as on Envoy's userdata: a guarded lookup
 * (`if request_handle.clearRouteCache ~= nil`, Envoy 1.34+) is skipped, and calling it raises the
 * error Envoy would log. Every such name is reported (`unknownApi`), so a script this mock cannot
 * model is never silently taken as a no-op.
 *
 * On a Lua error Envoy logs it and lets the request continue with the header edits made before
 * the error (`Filter::doHeaders` catches it); the result says so (`error`). Only the base,
 * string, table, math and coroutine libraries are open (no `io`, `os`, `require`), and a script
 * runs at most {@link INSTRUCTION_LIMIT} VM instructions.
 */

import { createRequire } from 'module';

/** A request as the script sees it. */
export interface LuaRequest {
  /** Request headers, pseudo-headers included (`:path`, `:authority`, `:method`, `:scheme`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The downstream peer, `ip:port`. */
  readonly clientAddress: string;
  /** The gateway's listener address, `ip:port`. */
  readonly localAddress: string;
  /** Dynamic metadata by filter namespace (e.g. a verified JWT payload under `envoy.filters.http.jwt_authn`). */
  readonly dynamicMetadata?: Readonly<Record<string, unknown>>;
}

/** One header edit the script made, in order. */
export interface HeaderEdit {
  readonly op: 'add' | 'replace' | 'remove';
  readonly name: string;
  readonly value?: string;
}

/** What one run of `envoy_on_request` did. */
export interface LuaRun {
  /** The request headers afterwards (repeated values joined with ","). */
  readonly headers: Record<string, string>;
  /** The header edits, in order. */
  readonly edits: HeaderEdit[];
  /** The header names the script read (`get`, `getAtIndex`, `getNumValues`), in first-read order. */
  readonly reads: string[];
  /** Stream properties the script read (`streamInfo:downstreamRemoteAddress`, ...). */
  readonly streamReads: string[];
  /** A local reply the script sent with `respond()`. */
  readonly respond?: { readonly status: number };
  /** Names the script looked up that Envoy 1.31 does not provide (nil there too). */
  readonly unknownApi: string[];
  /** The Lua error, if the script failed (Envoy logs it; edits made before it stay). */
  readonly error?: string;
  /** False when the chunk defines no `envoy_on_request` (Envoy then runs nothing). */
  readonly ran: boolean;
}

/** VM instructions one script may run (a loop that never ends is reported, not waited for). */
export const INSTRUCTION_LIMIT = 10_000_000;

// fengari ships no type declarations: the few calls used here.
interface LuaState { readonly __brand?: 'lua_State' }
type LuaHook = (L: LuaState) => void;
type LuaOpen = (L: LuaState) => number;
interface Fengari {
  readonly lua: {
    readonly LUA_MASKCOUNT: number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_pushnil(L: LuaState): void;
    lua_newtable(L: LuaState): void;
    lua_pushstring(L: LuaState, s: Uint8Array): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, b: boolean): void;
    lua_settable(L: LuaState, idx: number): void;
    lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawlen(L: LuaState, idx: number): number;
    lua_tostring(L: LuaState, idx: number): Uint8Array | null;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_pop(L: LuaState, n: number): void;
    lua_sethook(L: LuaState, hook: LuaHook, mask: number, count: number): void;
  };
  readonly lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadstring(L: LuaState, s: Uint8Array): number;
    luaL_requiref(L: LuaState, name: Uint8Array, open: LuaOpen, global: number): void;
    luaL_error(L: LuaState, message: Uint8Array): never;
  };
  readonly lualib: Readonly<Record<'luaopen_base' | 'luaopen_string' | 'luaopen_table' | 'luaopen_math' | 'luaopen_coroutine', LuaOpen>>;
  to_luastring(s: string): Uint8Array;
}

let loaded: Fengari | undefined;
function fengari(): Fengari {
  // Loaded at first use (about 80 ms): commands over manifests without a gateway coloring never pay for it.
  loaded ??= createRequire(__filename)('fengari') as Fengari;
  return loaded;
}

const LIBRARIES = [['_G', 'luaopen_base'], ['string', 'luaopen_string'], ['table', 'luaopen_table'], ['math', 'luaopen_math'], ['coroutine', 'luaopen_coroutine']] as const;
const HOOK_EVERY = 100_000;

/**
 * The Lua states of the scripts run so far, one per script text: fengari compiles slowly (about
 * 20 ms for the mock), so each script and the mock are compiled once and run per request. The
 * script's chunk runs again before every request, so `envoy_on_request` is always the script's
 * own; other globals a script writes persist between requests, as in Envoy's per-worker state.
 */
export class LuaScripts {
  private readonly states = new Map<string, LuaState | string>();
  private budget = 0;

  /** Runs `envoy_on_request` of `script` for one request. */
  public run(script: string, request: LuaRequest): LuaRun {
    const state = this.stateFor(script);
    if (typeof state === 'string') return failed(state);
    const { lua, to_luastring } = fengari();
    this.budget = INSTRUCTION_LIMIT / HOOK_EVERY;
    lua.lua_getglobal(state, to_luastring('__run'));
    pushValue(state, request.headers);
    pushValue(state, { client: request.clientAddress, local: request.localAddress, metadata: request.dynamicMetadata ?? {} });
    if (lua.lua_pcall(state, 2, 1, 0) !== 0) {
      const error = `the mock request_handle failed: ${text(state, -1)}`;
      lua.lua_pop(state, 1);
      return failed(error);
    }
    const result = readResult(state);
    lua.lua_pop(state, 1);
    return result;
  }

  private stateFor(script: string): LuaState | string {
    const hit = this.states.get(script);
    if (hit !== undefined) return hit;
    const made = this.newState(script);
    this.states.set(script, made);
    return made;
  }

  private newState(script: string): LuaState | string {
    const { lua, lauxlib, lualib, to_luastring } = fengari();
    const L = lauxlib.luaL_newstate();
    for (const [name, open] of LIBRARIES) {
      lauxlib.luaL_requiref(L, to_luastring(name), lualib[open], 1);
      lua.lua_pop(L, 1);
    }
    lua.lua_sethook(L, (S) => {
      if (--this.budget <= 0) lauxlib.luaL_error(S, to_luastring(`the script ran more than ${INSTRUCTION_LIMIT} instructions`));
    }, lua.LUA_MASKCOUNT, HOOK_EVERY);
    this.budget = INSTRUCTION_LIMIT / HOOK_EVERY;
    if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== 0) return `the script does not load: ${text(L, -1)}`;
    lua.lua_setglobal(L, to_luastring('__script'));
    if (lauxlib.luaL_loadstring(L, to_luastring(DRIVER)) !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) return `the mock request_handle does not load: ${text(L, -1)}`;
    lua.lua_setglobal(L, to_luastring('__run'));
    return L;
  }
}

/** Runs `envoy_on_request` of `script` for one request, in a Lua state of its own. */
export function runEnvoyOnRequest(script: string, request: LuaRequest): LuaRun {
  return new LuaScripts().run(script, request);
}

function failed(error: string): LuaRun {
  return { headers: {}, edits: [], reads: [], streamReads: [], unknownApi: [], error, ran: false };
}

/** Pushes a JSON-like value as a Lua value (objects and arrays as tables). */
function pushValue(L: LuaState, value: unknown): void {
  const { lua, to_luastring } = fengari();
  if (typeof value === 'string') return lua.lua_pushstring(L, to_luastring(value));
  if (typeof value === 'number') return lua.lua_pushnumber(L, value);
  if (typeof value === 'boolean') return lua.lua_pushboolean(L, value);
  if (value === null || typeof value !== 'object') return lua.lua_pushnil(L);
  lua.lua_newtable(L);
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i + 1, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    if (typeof k === 'number') lua.lua_pushnumber(L, k); else lua.lua_pushstring(L, to_luastring(k));
    pushValue(L, v);
    lua.lua_settable(L, -3);
  }
}

function text(L: LuaState, idx: number): string {
  const bytes = fengari().lua.lua_tostring(L, idx);
  return bytes === null ? '' : Buffer.from(bytes).toString('utf8');
}

/** result[name] as a list of string tuples. */
function rows(L: LuaState, name: string): string[][] {
  const { lua, to_luastring } = fengari();
  lua.lua_getfield(L, -1, to_luastring(name));
  const out: string[][] = [];
  for (let i = 1; i <= lua.lua_rawlen(L, -1); i++) {
    lua.lua_rawgeti(L, -1, i);
    const row: string[] = [];
    for (let j = 1; j <= lua.lua_rawlen(L, -1); j++) {
      lua.lua_rawgeti(L, -1, j);
      row.push(text(L, -1));
      lua.lua_pop(L, 1);
    }
    out.push(row);
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return out;
}

function field(L: LuaState, name: string): string | undefined {
  const { lua, to_luastring } = fengari();
  lua.lua_getfield(L, -1, to_luastring(name));
  const v = lua.lua_toboolean(L, -1) ? text(L, -1) : undefined;
  lua.lua_pop(L, 1);
  return v;
}

const EDIT_OPS: Readonly<Record<string, HeaderEdit['op']>> = { add: 'add', replace: 'replace', remove: 'remove' };

function readResult(L: LuaState): LuaRun {
  const status = field(L, 'respond');
  const edits = rows(L, 'edits').flatMap(([op, name, value]): HeaderEdit[] => {
    const known = EDIT_OPS[op];
    return known ? [{ op: known, name, ...(value !== undefined ? { value } : {}) }] : [];
  });
  return {
    headers: Object.fromEntries(rows(L, 'headers').map(([k, v]) => [k, v])),
    edits,
    reads: rows(L, 'reads').map((r) => r[0]),
    streamReads: rows(L, 'stream_reads').map((r) => r[0]),
    ...(status !== undefined ? { respond: { status: Number(status) } } : {}),
    unknownApi: rows(L, 'unknown').map((r) => r[0]),
    ...(field(L, 'error') !== undefined ? { error: field(L, 'error') } : {}),
    ran: field(L, 'ran') === 'true',
  };
}

/** The mock request_handle and the call of `envoy_on_request`: a function of the request, returning one table. */
const DRIVER = `
local store, order, edits, reads, stream_reads, unknown, seen, stream, responded
local function note(list, name) if not seen[list] then seen[list] = {} end; if not seen[list][name] then seen[list][name] = true; list[#list + 1] = { name } end end
local function userdata(kind, methods)
  return setmetatable({}, { __index = function(_, name)
    local m = methods[name]
    if m == nil then note(unknown, kind .. "." .. tostring(name)) end
    return m
  end })
end
local function key(k) if type(k) ~= "string" then error("header name must be a string", 3) end; return string.lower(k) end
local function value(v) if type(v) ~= "string" then error("header value must be a string", 3) end; return v end
local function put(k, list) if store[k] == nil then order[#order + 1] = k end; store[k] = list end
local H = {}
function H.get(_, k) k = key(k); note(reads, k); local l = store[k]; if l == nil then return nil end; return table.concat(l, ",") end
function H.getAtIndex(_, k, i) k = key(k); note(reads, k); local l = store[k]; if l == nil then return nil end; return l[i + 1] end
function H.getNumValues(_, k) k = key(k); note(reads, k); local l = store[k]; if l == nil then return 0 end; return #l end
function H.add(_, k, v) k = key(k); v = value(v); edits[#edits + 1] = { "add", k, v }; local l = store[k] or {}; l[#l + 1] = v; put(k, l) end
function H.replace(_, k, v) k = key(k); v = value(v); edits[#edits + 1] = { "replace", k, v }; put(k, { v }) end
function H.remove(_, k) k = key(k); edits[#edits + 1] = { "remove", k }; store[k] = nil end
local headers = userdata("headers", H)
getmetatable(headers).__pairs = function()
  local i = 0
  return function()
    repeat i = i + 1 until order[i] == nil or store[order[i]] ~= nil
    local k = order[i]; if k == nil then return nil end
    return k, table.concat(store[k], ",")
  end
end
local M = {}
function M.get(_, ns) note(stream_reads, "dynamicMetadata:" .. tostring(ns)); return stream.metadata[ns] end
function M.set(_, ns, k, v) stream.metadata[ns] = stream.metadata[ns] or {}; stream.metadata[ns][k] = v end
local dynamic = userdata("dynamicMetadata", M)
local S = {}
function S.protocol() return "HTTP/1.1" end
function S.dynamicMetadata() return dynamic end
function S.downstreamDirectRemoteAddress() note(stream_reads, "downstreamDirectRemoteAddress"); return stream.client end
function S.downstreamRemoteAddress() note(stream_reads, "downstreamRemoteAddress"); return stream.client end
function S.downstreamLocalAddress() return stream["local"] end
function S.requestedServerName() return "" end
local stream_info = userdata("streamInfo", S)
local RESPONDED = {}
local R = {}
function R.headers() return headers end
function R.streamInfo() return stream_info end
function R.respond(_, h, _) responded = tostring((h or {})[":status"] or "200"); error(RESPONDED) end
for _, level in ipairs({ "logTrace", "logDebug", "logInfo", "logWarn", "logErr", "logCritical" }) do R[level] = function() end end
local handle = userdata("request_handle", R)
return function(input, stream_input)
  store, order, edits, reads, stream_reads, unknown, seen, stream, responded = {}, {}, {}, {}, {}, {}, {}, stream_input, nil
  for k, v in pairs(input) do put(string.lower(k), { v }) end
  local result = { edits = edits, reads = reads, stream_reads = stream_reads, unknown = unknown, ran = "false" }
  local ok, err = pcall(__script)
  if not ok then result.error = "the script failed while loading: " .. tostring(err)
  elseif type(envoy_on_request) == "function" then
    result.ran = "true"
    local ok2, err2 = pcall(envoy_on_request, handle)
    if not ok2 and err2 ~= RESPONDED then result.error = tostring(err2) end
  end
  result.respond = responded
  local flat = {}
  for _, k in ipairs(order) do if store[k] ~= nil then flat[#flat + 1] = { k, table.concat(store[k], ",") } end end
  result.headers = flat
  return result
end
`;
