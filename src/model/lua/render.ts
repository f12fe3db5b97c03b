import { LuaExpr, LuaStatement, isLuaIdentifier } from './ast';
import { luaString } from './escape';

const INDENT = '  ';

/**
 * Renders statements as a Lua 5.1 chunk, two spaces per level, ending with a newline.
 *
 * Every nested binary or `not` operand is parenthesised, so the output never depends on
 * operator precedence. `return` and `break` must end their block, as Lua 5.1 requires.
 */
export function renderLua(statements: readonly LuaStatement[]): string {
  return renderBlock(statements, 0).join('\n') + '\n';
}

/** Renders one expression (exported for tests and for small inline uses). */
export function renderLuaExpr(expr: LuaExpr): string {
  switch (expr.kind) {
    case 'nil': return 'nil';
    case 'bool': return expr.value ? 'true' : 'false';
    case 'num': return String(expr.value);
    case 'str': return luaString(expr.value);
    case 'name': return expr.name;
    case 'index':
      // `t.key` only for a key that is a Lua name (not a keyword such as `end`), else `t["key"]`.
      return expr.key.kind === 'str' && isLuaIdentifier(expr.key.value)
        ? `${prefix(expr.target)}.${expr.key.value}`
        : `${prefix(expr.target)}[${renderLuaExpr(expr.key)}]`;
    case 'call': return `${prefix(expr.fn)}(${args(expr.args)})`;
    case 'method': return `${prefix(expr.target)}:${expr.method}(${args(expr.args)})`;
    case 'binary': return `${operand(expr.left)} ${expr.op} ${operand(expr.right)}`;
    case 'not': return `not ${operand(expr.operand)}`;
  }
}

/** A prefix expression (callee, indexed value): names, calls and indexes stand alone. */
function prefix(expr: LuaExpr): string {
  const text = renderLuaExpr(expr);
  return expr.kind === 'name' || expr.kind === 'call' || expr.kind === 'method' || expr.kind === 'index' ? text : `(${text})`;
}

function operand(expr: LuaExpr): string {
  const text = renderLuaExpr(expr);
  return expr.kind === 'binary' || expr.kind === 'not' ? `(${text})` : text;
}

function args(list: readonly LuaExpr[]): string {
  return list.map(renderLuaExpr).join(', ');
}

function renderBlock(statements: readonly LuaStatement[], depth: number): string[] {
  const lines: string[] = [];
  statements.forEach((statement, i) => {
    if ((statement.kind === 'return' || statement.kind === 'break') && i !== statements.length - 1) {
      throw new Error(`internal error: ${statement.kind} must be the last statement of its block`);
    }
    lines.push(...renderStatement(statement, depth));
  });
  return lines;
}

function renderStatement(s: LuaStatement, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  switch (s.kind) {
    case 'local':
      return [s.value === undefined ? `${pad}local ${s.name}` : `${pad}local ${s.name} = ${renderLuaExpr(s.value)}`];
    case 'assign':
      return [`${pad}${s.name} = ${renderLuaExpr(s.value)}`];
    case 'exec':
      return [`${pad}${renderLuaExpr(s.call)}`];
    case 'return':
      return [s.values.length === 0 ? `${pad}return` : `${pad}return ${args(s.values)}`];
    case 'break':
      return [`${pad}break`];
    case 'while':
      return [`${pad}while ${renderLuaExpr(s.condition)} do`, ...renderBlock(s.body, depth + 1), `${pad}end`];
    case 'function': {
      const head = `${s.local ? 'local ' : ''}function ${s.name}(${s.params.join(', ')})`;
      return [`${pad}${head}`, ...renderBlock(s.body, depth + 1), `${pad}end`];
    }
    case 'if': {
      const lines: string[] = [];
      s.branches.forEach((branch, i) => {
        lines.push(`${pad}${i === 0 ? 'if' : 'elseif'} ${renderLuaExpr(branch.condition)} then`);
        lines.push(...renderBlock(branch.body, depth + 1));
      });
      if (s.otherwise !== undefined && s.otherwise.length > 0) {
        lines.push(`${pad}else`, ...renderBlock(s.otherwise, depth + 1));
      }
      lines.push(`${pad}end`);
      return lines;
    }
  }
}
