/**
 * Short names over the typed Lua builder for the coloring script's helper functions. Nothing
 * here writes Lua text: every node is a builder node, and strings still reach Lua only through
 * `lua.str` (the one escaping function).
 */
import { lua, LuaCall, LuaExpr, LuaStatement } from '../lua/ast';

/** A variable or function name. */
export const v = (name: string): LuaExpr => lua.name(name);
/** A string literal. */
export const s = (text: string): LuaExpr => lua.str(text);
/** An integer literal. */
export const n = (value: number): LuaExpr => lua.num(value);
/** `fn(args)` for a function named `fn`. */
export const call = (fn: string, ...args: LuaExpr[]): LuaCall => lua.call(lua.name(fn), ...args);
/** `string.fn(args)`. */
export const str = (fn: string, ...args: LuaExpr[]): LuaCall => lua.call(lua.field(lua.name('string'), fn), ...args);
/** `string.len(e)`. */
export const len = (e: LuaExpr): LuaExpr => str('len', e);
/** `string.find(haystack, needle, init, true)`: a plain (never a pattern) search. */
export const findPlain = (haystack: LuaExpr, needle: string, init: LuaExpr = n(1)): LuaExpr => str('find', haystack, s(needle), init, lua.bool(true));
/** `e == nil`. */
export const isNil = (e: LuaExpr): LuaExpr => lua.eq(e, lua.nil);
/** `e ~= nil`. */
export const notNil = (e: LuaExpr): LuaExpr => lua.ne(e, lua.nil);
/** `type(e) == kind`. */
export const isType = (e: LuaExpr, kind: 'string' | 'table'): LuaExpr => lua.eq(call('type', e), s(kind));
/** `a + b`, `a - b`. */
export const plus = (a: LuaExpr, b: LuaExpr): LuaExpr => lua.binary('+', a, b);
export const minus = (a: LuaExpr, b: LuaExpr): LuaExpr => lua.binary('-', a, b);
/** `a .. b`. */
export const concat = (a: LuaExpr, b: LuaExpr): LuaExpr => lua.binary('..', a, b);
/** `if cond then body end`. */
export const when = (condition: LuaExpr, body: LuaStatement[]): LuaStatement => lua.if([{ condition, body }]);
/** `if cond then body else otherwise end`. */
export const either = (condition: LuaExpr, body: LuaStatement[], otherwise: LuaStatement[]): LuaStatement => lua.if([{ condition, body }], otherwise);
/** `return e` (or a bare `return`). */
export const ret = (...values: LuaExpr[]): LuaStatement => lua.return(...values);
/** `local name = value`. */
export const local = (name: string, value?: LuaExpr): LuaStatement => lua.local(name, value);
/** `name = value`. */
export const set = (name: string, value: LuaExpr): LuaStatement => lua.assign(name, value);
/** `local function name(params) body end`. */
export const fn = (name: string, params: string[], body: LuaStatement[]): LuaStatement => lua.localFunction(name, params, body);
/** `s:sub(i, j)` as `string.sub(s, i, j)` (j optional). */
export const sub = (text: LuaExpr, i: LuaExpr, j?: LuaExpr): LuaExpr => (j === undefined ? str('sub', text, i) : str('sub', text, i, j));
