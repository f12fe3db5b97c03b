/**
 * A small typed Lua syntax tree: the only way the library writes Lua.
 *
 * It covers the Lua 5.1 subset Envoy's LuaJIT runs and nothing newer: no integer division,
 * no bitwise operators, no goto. Arithmetic is on doubles: integers are exact below 2^53, so
 * generated code keeps every intermediate value under that bound. Text enters only as {@link lua.str} string literals (escaped
 * by `luaString`); names are checked to be identifiers, numbers to be safe integers.
 */

/** Binary operators the builder can emit (all Lua 5.1). */
export type LuaBinaryOperator = '==' | '~=' | '<' | '<=' | '>' | '>=' | 'and' | 'or' | '..' | '+' | '-' | '*' | '/' | '%';

/** A Lua expression. */
export type LuaExpr =
  | { readonly kind: 'nil' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly target: LuaExpr; readonly key: LuaExpr }
  | { readonly kind: 'call'; readonly fn: LuaExpr; readonly args: readonly LuaExpr[] }
  | { readonly kind: 'method'; readonly target: LuaExpr; readonly method: string; readonly args: readonly LuaExpr[] }
  | { readonly kind: 'binary'; readonly op: LuaBinaryOperator; readonly left: LuaExpr; readonly right: LuaExpr }
  | { readonly kind: 'not'; readonly operand: LuaExpr };

/** A call expression, the only expression Lua accepts as a statement. */
export type LuaCall = Extract<LuaExpr, { kind: 'call' | 'method' }>;

/** A Lua statement. */
export type LuaStatement =
  | { readonly kind: 'local'; readonly name: string; readonly value?: LuaExpr }
  | { readonly kind: 'assign'; readonly name: string; readonly value: LuaExpr }
  | { readonly kind: 'exec'; readonly call: LuaCall }
  | { readonly kind: 'if'; readonly branches: readonly LuaBranch[]; readonly otherwise?: readonly LuaStatement[] }
  | { readonly kind: 'while'; readonly condition: LuaExpr; readonly body: readonly LuaStatement[] }
  | { readonly kind: 'return'; readonly values: readonly LuaExpr[] }
  | { readonly kind: 'break' }
  | { readonly kind: 'function'; readonly local: boolean; readonly name: string; readonly params: readonly string[]; readonly body: readonly LuaStatement[] };

/** One `if`/`elseif` arm. */
export interface LuaBranch {
  readonly condition: LuaExpr;
  readonly body: readonly LuaStatement[];
}

const RESERVED = new Set([
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if', 'in',
  'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while',
]);

/** Whether `name` is a plain Lua identifier (ASCII, not a keyword; `goto` counts as one). */
export function isLuaIdentifier(name: string): boolean {
  return typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name);
}

function ident(name: string): string {
  if (!isLuaIdentifier(name)) {
    // Names come from the library, never from users: this is a programming error.
    throw new Error(`internal error: ${JSON.stringify(name)} is not a Lua identifier`);
  }
  return name;
}

/** Factories for Lua nodes; each checks what it can at construction. */
export const lua = {
  nil: { kind: 'nil' } as LuaExpr,
  bool: (value: boolean): LuaExpr => ({ kind: 'bool', value }),
  num: (value: number): LuaExpr => {
    if (!Number.isSafeInteger(value)) {
      throw new Error(`internal error: ${value} is not a safe integer`);
    }
    return { kind: 'num', value };
  },
  /** A string literal; the only way text enters Lua. */
  str: (value: string): LuaExpr => ({ kind: 'str', value }),
  name: (name: string): LuaExpr => ({ kind: 'name', name: ident(name) }),
  /** `target.key` for an identifier key, e.g. `lua.field(lua.name('string'), 'find')`. */
  field: (target: LuaExpr, key: string): LuaExpr => ({ kind: 'index', target, key: { kind: 'str', value: ident(key) } }),
  index: (target: LuaExpr, key: LuaExpr): LuaExpr => ({ kind: 'index', target, key }),
  call: (fn: LuaExpr, ...args: LuaExpr[]): LuaCall => ({ kind: 'call', fn, args }),
  /** `target:method(args)`. */
  method: (target: LuaExpr, method: string, ...args: LuaExpr[]): LuaCall => ({ kind: 'method', target, method: ident(method), args }),
  binary: (op: LuaBinaryOperator, left: LuaExpr, right: LuaExpr): LuaExpr => ({ kind: 'binary', op, left, right }),
  eq: (left: LuaExpr, right: LuaExpr): LuaExpr => lua.binary('==', left, right),
  ne: (left: LuaExpr, right: LuaExpr): LuaExpr => lua.binary('~=', left, right),
  and: (left: LuaExpr, right: LuaExpr): LuaExpr => lua.binary('and', left, right),
  or: (left: LuaExpr, right: LuaExpr): LuaExpr => lua.binary('or', left, right),
  not: (operand: LuaExpr): LuaExpr => ({ kind: 'not', operand }),

  local: (name: string, value?: LuaExpr): LuaStatement => ({ kind: 'local', name: ident(name), value }),
  assign: (name: string, value: LuaExpr): LuaStatement => ({ kind: 'assign', name: ident(name), value }),
  exec: (call: LuaCall): LuaStatement => ({ kind: 'exec', call }),
  if: (branches: LuaBranch[], otherwise?: LuaStatement[]): LuaStatement => {
    if (branches.length === 0) throw new Error('internal error: an if needs at least one branch');
    return { kind: 'if', branches, otherwise };
  },
  while: (condition: LuaExpr, body: LuaStatement[]): LuaStatement => ({ kind: 'while', condition, body }),
  return: (...values: LuaExpr[]): LuaStatement => ({ kind: 'return', values }),
  break: { kind: 'break' } as LuaStatement,
  localFunction: (name: string, params: string[], body: LuaStatement[]): LuaStatement =>
    ({ kind: 'function', local: true, name: ident(name), params: params.map(ident), body }),
  /** A global function, e.g. Envoy's `envoy_on_request` entry point. */
  globalFunction: (name: string, params: string[], body: LuaStatement[]): LuaStatement =>
    ({ kind: 'function', local: false, name: ident(name), params: params.map(ident), body }),
};
