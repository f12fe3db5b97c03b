/**
 * IP addresses and CIDR blocks, parsed strictly at synth time into the one form the generated
 * Lua compares: a 128-bit address as 32 lowercase hex digits, with IPv4 written as its
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). A block is then a range `[low, high]` of such
 * keys, and "is the address in the block" is two string comparisons in Lua: no bit operation,
 * no number above 2^53 (Lua 5.1 and LuaJIT have neither 64-bit integers nor bit operators in
 * the language).
 */

/** A CIDR block as the coloring script compares it. */
export interface AddressRange {
  /** The block as given. */
  readonly cidr: string;
  /** 4 or 6. */
  readonly version: 4 | 6;
  /** The first address of the block, as a 32-hex-digit key. */
  readonly low: string;
  /** The last address of the block, as a 32-hex-digit key. */
  readonly high: string;
}

/** The key prefix of IPv4-mapped IPv6 addresses (`::ffff:0:0/96`). */
export const IPV4_MAPPED_PREFIX = '00000000000000000000ffff';

/** An IPv4 address in dotted-quad form, every octet in decimal without leading zeros. */
function ipv4Hex(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let hex = '';
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    hex += Number(part).toString(16).padStart(2, '0');
  }
  return hex;
}

/** Hex of the 16-bit groups of one side of `::` (an IPv4 tail only where allowed). */
function groupsHex(text: string, allowIpv4Tail: boolean): string | undefined {
  if (text === '') return '';
  const groups = text.split(':');
  let hex = '';
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (allowIpv4Tail && i === groups.length - 1 && g.includes('.')) {
      const v4 = ipv4Hex(g);
      if (v4 === undefined) return undefined;
      hex += v4;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      hex += g.toLowerCase().padStart(4, '0');
    } else {
      return undefined;
    }
  }
  return hex;
}

/** An IPv6 address (RFC 4291 text forms, no zone index) as 32 hex digits. */
function ipv6Hex(text: string): string | undefined {
  const gap = text.indexOf('::');
  if (gap < 0) {
    const hex = groupsHex(text, true);
    return hex !== undefined && hex.length === 32 ? hex : undefined;
  }
  if (text.indexOf('::', gap + 1) >= 0) return undefined;
  const head = groupsHex(text.slice(0, gap), false);
  const tail = groupsHex(text.slice(gap + 2), true);
  if (head === undefined || tail === undefined || head.length + tail.length > 28) return undefined;
  return head + '0'.repeat(32 - head.length - tail.length) + tail;
}

/**
 * The key of an address: 32 lowercase hex digits, IPv4 mapped into `::ffff:0:0/96`; undefined
 * when `text` is not an address.
 */
export function addressKey(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) return ipv6Hex(text);
  const v4 = ipv4Hex(text);
  return v4 === undefined ? undefined : IPV4_MAPPED_PREFIX + v4;
}

/** Sets the bits after the first `prefix` bits of a 32-hex-digit key to `bit` (on a binary string). */
function fillHostBits(key: string, prefix: number, bit: '0' | '1'): string {
  const binary = [...key].map((h) => parseInt(h, 16).toString(2).padStart(4, '0')).join('');
  const filled = binary.slice(0, prefix) + bit.repeat(128 - prefix);
  return (filled.match(/.{4}/g) ?? []).map((b) => parseInt(b, 2).toString(16)).join('');
}

/**
 * Parses `a.b.c.d/p`, `x:y::z/p` or a bare address (a block of one). Returns the range, or a
 * sentence saying what is wrong. Host bits must be zero (`10.0.0.1/8` is refused: it usually
 * means another block was intended).
 */
export function parseCidr(text: string): AddressRange | string {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return 'is not a CIDR block';
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined) return 'has more than one "/"';
  const version: 4 | 6 = address.includes(':') ? 6 : 4;
  const key = addressKey(address);
  if (key === undefined) return `"${address}" is not an IPv${version} address`;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) return `the prefix length "${prefixText}" is not 0 to ${max}`;
    prefix = Number(prefixText);
  }
  const bits = version === 4 ? prefix + 96 : prefix;
  const low = fillHostBits(key, bits, '0');
  if (low !== key) return `has host bits set after the first ${prefix} bits`;
  return { cidr: text, version, low, high: fillHostBits(key, bits, '1') };
}
