/* eslint-disable no-bitwise -- the reference FNV-1a and PRNG are defined with 32-bit operations */
/**
 * Oracles for the identity rules, written independently of src/:
 * - {@link inBlocks}: Node's own `net.BlockList` (IPv4 blocks also match IPv4-mapped IPv6);
 * - {@link fnv1a32}: FNV-1a 32 with `Math.imul` and unsigned shifts (the reference definition),
 *   checked against the published test vectors in the tests.
 */
import * as net from 'net';

/** Whether `address` (IPv4 or IPv6 text) is in one of `cidrs`, by Node's BlockList. */
export function inBlocks(address: string, cidrs: readonly string[]): boolean {
  const kind = net.isIP(address);
  if (kind === 0) return false;
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [base, prefix] = cidr.split('/');
    const type = net.isIP(base) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(base, prefix === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefix), type);
  }
  return list.check(address, kind === 6 ? 'ipv6' : 'ipv4');
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A deterministic pseudo-random generator (mulberry32), for reproducible key sets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID-like user id from a generator. */
export function randomUserId(next: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
}
