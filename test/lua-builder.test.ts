import * as fc from 'fast-check';
import { checkLuaSyntax, evalLuaString } from './support/lua';
import { lua, luaString, renderLua, renderLuaExpr, isLuaIdentifier } from '../src/model/lua';

/** Strings that have broken hand-written escaping before. */
const HOSTILE = [
  '', 'plain', '"', '\\', '\\"', '"\\', ']]', '[[', ']=]', '\n', '\r\n', '\0', 'a\0b', '\t\v\f\b\x07\x1b\x7f',
  '%', '%s%d%%', '.-*+?[^$]()', '\\1\\2', '\\065', 'é', '日本語', '😀', '\u2028\u2029', 'end', '--[[', 'x" .. os.exit() .. "',
];

describe('luaString', () => {
  test.each(HOSTILE.map(s => [JSON.stringify(s), s]))('round-trips %s: Lua reads back exactly the UTF-8 bytes', (_label, value) => {
    // GIVEN a hostile string
    // WHEN it is written as a Lua literal
    const literal = luaString(value);
    // THEN the literal is printable ASCII, parses as LuaJIT and 5.1, and evaluates to the same string
    expect(literal).toMatch(/^"[\x20-\x7e]*"$/);
    expect(() => checkLuaSyntax(`local x = ${literal}`)).not.toThrow();
    expect(evalLuaString(literal)).toBe(value);
  });

  test('uses three-digit decimal escapes, so a following digit is never absorbed', () => {
    // GIVEN a control character followed by digits, and a non-ASCII character
    // WHEN escaped
    // THEN every escape has exactly three digits
    expect(luaString('\n12')).toBe('"\\01012"');
    expect(luaString('\x001')).toBe('"\\0001"');
    expect(luaString('é')).toBe('"\\195\\169"');
    expect(luaString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  test('property: any Unicode string round-trips through fengari and parses (numRuns 300)', () => {
    // GIVEN arbitrary strings of any Unicode code points (no lone surrogates)
    // WHEN escaped and evaluated in Lua
    // THEN the literal is ASCII, parses, and decodes to the original string
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
      const literal = luaString(value);
      expect(literal).toMatch(/^"[\x20-\x7e]*"$/);
      checkLuaSyntax(`return ${literal}`);
      expect(evalLuaString(literal)).toBe(value);
    }), { numRuns: 300 });
  });
});

describe('renderLua', () => {
  test('arithmetic operators evaluate as in Lua 5.1 (doubles, % with a positive divisor)', () => {
    // GIVEN (7 * 3 + 5) % 4 and (9 - 1) / 2, built as nested binary nodes
    const expr = lua.binary('..', lua.binary('%', lua.binary('+', lua.binary('*', lua.num(7), lua.num(3)), lua.num(5)), lua.num(4)),
      lua.binary('/', lua.binary('-', lua.num(9), lua.num(1)), lua.num(2)));
    // WHEN rendered and evaluated
    const text = renderLuaExpr(expr);
    // THEN the parentheses keep the intended order and Lua computes 2 and 4
    expect(text).toBe('(((7 * 3) + 5) % 4) .. ((9 - 1) / 2)');
    expect(['24', '24.0']).toContain(evalLuaString(text));
  });

  test('parenthesises nested operators, so precedence never matters', () => {
    // GIVEN `not (a == b)` and `(a or b) and c`
    const a = lua.name('a');
    const b = lua.name('b');
    // WHEN rendered
    // THEN each nested operand is in parentheses
    expect(renderLuaExpr(lua.not(lua.eq(a, b)))).toBe('not (a == b)');
    expect(renderLuaExpr(lua.and(lua.or(a, b), lua.name('c')))).toBe('(a or b) and c');
  });

  test('renders statements as Lua 5.1 that parses', () => {
    // GIVEN a function with a loop, an if/elseif/else and method calls
    const x = lua.name('x');
    const code = renderLua([
      lua.localFunction('f', ['x'], [
        lua.while(lua.bool(true), [lua.if([{ condition: lua.eq(x, lua.num(1)), body: [lua.break] }])]),
        lua.if(
          [{ condition: lua.eq(x, lua.str('a')), body: [lua.exec(lua.method(x, 'm', lua.str('b')))] },
            { condition: lua.ne(x, lua.nil), body: [lua.assign('x', lua.index(x, lua.str('k-1')))] }],
          [lua.exec(lua.call(lua.field(lua.name('string'), 'len'), x))],
        ),
        lua.return(x),
      ]),
    ]);
    // WHEN parsed as LuaJIT and 5.1
    // THEN it parses, and the non-identifier key is indexed with brackets
    expect(() => checkLuaSyntax(code)).not.toThrow();
    expect(code).toContain('x["k-1"]');
    expect(code).toContain('elseif x ~= nil then');
  });

  test('rejects names that are not identifiers, including keywords and goto', () => {
    // GIVEN names a user could smuggle in
    // WHEN used as names
    // THEN the builder refuses them
    expect(isLuaIdentifier('goto')).toBe(false);
    expect(() => lua.name('a b')).toThrow(/not a Lua identifier/);
    expect(() => lua.local('end')).toThrow(/not a Lua identifier/);
    expect(() => lua.method(lua.name('h'), 'x"y')).toThrow(/not a Lua identifier/);
  });

  test('rejects a return that is not last in its block (a Lua 5.1 syntax error)', () => {
    // GIVEN a return followed by another statement
    // WHEN rendered
    // THEN rendering throws instead of emitting invalid Lua
    expect(() => renderLua([lua.return(), lua.local('x')])).toThrow(/must be the last statement/);
  });

  test('rejects numbers that are not safe integers', () => {
    // GIVEN non-integers (Lua 5.1 has no integer type, but we never need fractions)
    // THEN the builder refuses them
    expect(() => lua.num(1.5)).toThrow();
    expect(() => lua.num(Number.NaN)).toThrow();
  });
});

test('an index key that is a Lua keyword is rendered with brackets (t.end would not parse)', () => {
  // GIVEN t["end"] and t["name"]
  const keyword = renderLuaExpr(lua.index(lua.name('t'), lua.str('end')));
  const plain = renderLuaExpr(lua.index(lua.name('t'), lua.str('name')));
  // THEN the keyword is bracketed and the plain name uses the dot
  expect(keyword).toBe('t["end"]');
  expect(plain).toBe('t.name');
});
