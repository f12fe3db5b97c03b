/**
 * Object-for-object comparison of two synthesized outputs (the library's mesh and the peer's):
 * run.ts refuses to time a peer that does not write what the library writes.
 */

/** Differences between two lists of objects, one line each (at most `limit`); empty when equal. */
export function objectDifferences(ours: readonly any[], peer: readonly any[], limit = 10): string[] {
  const out: string[] = [];
  const id = (o: any): string => `${o?.kind}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name}`;
  if (ours.length !== peer.length) out.push(`ours has ${ours.length} objects, the peer ${peer.length}`);
  for (let i = 0; i < Math.max(ours.length, peer.length) && out.length < limit; i++) {
    const where = firstDifference(ours[i], peer[i], '');
    if (where !== undefined) out.push(`object ${i} (ours ${id(ours[i])}, peer ${id(peer[i])}) differs at ${where || 'the top'}`);
  }
  return out;
}

/** The path of the first difference between two JSON values, or undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${at} (${JSON.stringify(a)} vs ${JSON.stringify(b)})`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
