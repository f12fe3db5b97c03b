/**
 * The one place where text becomes Lua source.
 *
 * Every string that reaches generated Lua goes through {@link luaString}; nothing else in
 * the library splices text into Lua code.
 */

const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;

/**
 * Returns `value` as a double-quoted Lua string literal whose bytes are exactly the UTF-8
 * encoding of `value`.
 *
 * The result is pure printable ASCII and valid in Lua 5.1, LuaJIT and Lua 5.2 to 5.4:
 * - `\` and `"` are escaped as `\\` and `\"`;
 * - every other byte outside printable ASCII (0x20 to 0x7e) — NUL, newline, carriage
 *   return, every control character, DEL and every byte of a non-ASCII character — is
 *   written as a three-digit decimal escape `\ddd`. Three digits always, so a digit that
 *   follows can never be read as part of the escape.
 *
 * Printable ASCII is kept as is: `]]`, `%`, `'` and Lua pattern characters mean nothing
 * inside a quoted literal. A lone UTF-16 surrogate (not valid Unicode) is encoded as
 * U+FFFD, as `Buffer.from(value, 'utf8')` does.
 */
export function luaString(value: string): string {
  if (typeof value !== 'string') {
    throw new TypeError(`luaString expects a string, got ${typeof value}`);
  }
  let out = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === BACKSLASH || byte === DOUBLE_QUOTE) {
      out += '\\' + String.fromCharCode(byte);
    } else if (byte >= 0x20 && byte <= 0x7e) {
      out += String.fromCharCode(byte);
    } else {
      out += '\\' + String(byte).padStart(3, '0');
    }
  }
  return out + '"';
}
