/**
 * Host lookups in time independent of the number of objects: exact hosts in a map, wildcard
 * hosts (`*`, `*.example.com`) in a list scanned per lookup (there are few). Answers are those
 * of a scan in input order with Istio's host covering (`hostCovers`), so replacing a scan by a
 * lookup changes no result.
 */
import { hostCovers } from '../model/matching';

/** Values by the host patterns they were given with. */
export interface HostLookup<T> {
  /** The value given first (in input order) whose host covers `host`. */
  first(host: string): T | undefined;
  /** Every value whose host covers `host`, in input order, each once. */
  all(host: string): T[];
}

interface Entry<T> {
  readonly position: number;
  readonly value: T;
  readonly pattern: string;
}

/** A lookup over `(host pattern, value)` pairs, in input order. */
export function hostLookup<T>(pairs: ReadonlyArray<{ readonly host: string; readonly value: T }>): HostLookup<T> {
  const exact = new Map<string, Array<Entry<T>>>();
  const wildcards: Array<Entry<T>> = [];
  pairs.forEach(({ host, value }, position) => {
    const entry = { position, value, pattern: host };
    if (host.includes('*')) {
      wildcards.push(entry);
    } else {
      const list = exact.get(host);
      if (list) list.push(entry); else exact.set(host, [entry]);
    }
  });
  const matching = (host: string): Array<Entry<T>> => {
    const hits = [...(exact.get(host) ?? []), ...wildcards.filter((w) => hostCovers(w.pattern, host))];
    return hits.sort((a, b) => a.position - b.position);
  };
  return {
    first: (host) => matching(host)[0]?.value,
    all: (host) => {
      const seen = new Set<T>();
      return matching(host).flatMap((e) => (seen.has(e.value) ? [] : (seen.add(e.value), [e.value])));
    },
  };
}

/** The value kept for `key` in `cache`, made by `make` at first use. */
export function remembered<K extends object, V>(cache: WeakMap<K, V>, key: K, make: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const made = make();
  cache.set(key, made);
  return made;
}
