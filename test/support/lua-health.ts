/**
 * Runs an Argo CD resource health script the way Argo CD runs a custom one: the live object as
 * the global `obj`, and only the base functions a script gets without `useOpenLibs`
 * (`tostring`, `ipairs`, `pairs`; no `string` library), in fengari. The script must also parse as
 * Lua 5.1 (gopher-lua, Argo CD's VM, implements 5.1): see {@link checkLuaSyntax}.
 * Test support only.
 */
import { checkLuaSyntax } from './lua';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = require('fengari');
const { lua, lauxlib, lualib, to_luastring } = fengari;

/** A JSON value as a Lua literal (objects as tables with string keys, arrays as sequences). */
function luaLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'nil';
  if (typeof v === 'string') return `"${[...v].map((ch) => (/[A-Za-z0-9 _.:/,;=+@#-]/.test(ch) ? ch : `\\${ch.charCodeAt(0)}`)).join('')}"`;
  if (Array.isArray(v)) return `{${v.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(v as object).map(([k, x]) => `[${luaLiteral(k)}] = ${luaLiteral(x)}`).join(', ')}}`;
}

/** What the script returned. */
export interface HealthResult {
  readonly status: string;
  readonly message: string;
}

/** Runs `script` on `obj`; throws on a Lua error (which Argo CD reports as Unknown). */
export function runHealthScript(script: string, obj: unknown): HealthResult {
  checkLuaSyntax(script);
  const driver = `
local env = { obj = ${luaLiteral(obj)}, tostring = tostring, ipairs = ipairs, pairs = pairs }
local chunk, err = load(__script, "health.lua", "t", env)
if not chunk then error(err) end
local hs = chunk()
if type(hs) ~= "table" then return "", "" end
return tostring(hs.status or ""), tostring(hs.message or "")
`;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushstring(L, to_luastring(script));
  lua.lua_setglobal(L, to_luastring('__script'));
  if (lauxlib.luaL_loadstring(L, to_luastring(driver)) !== 0 || lua.lua_pcall(L, 0, 2, 0) !== 0) {
    throw new Error(`Lua error: ${Buffer.from(lua.lua_tostring(L, -1)).toString('utf8')}`);
  }
  const str = (i: number) => Buffer.from(lua.lua_tostring(L, i)).toString('utf8');
  return { status: str(-2), message: str(-1) };
}
