/**
 * Rules of a VirtualService that can never match, by Istio's first-match order:
 * - a rule after one that matches every request (no `match`, or an empty match entry);
 * - a rule each of whose match entries is covered by an entry of an earlier rule (every request
 *   it could match, the earlier rule takes first): the earlier entry's conditions are among its
 *   conditions, or wider (a prefix of its path, a presence test of its header, fewer source labels);
 * - a rule whose entries all name `gateways` the VirtualService does not apply to.
 * Branches of a split with weight 0 are never taken either (Istio drops them, route.go).
 * The analysis is sound, not complete: a rule it does not list may still never match.
 */
import { HttpMatch, HttpRule, StringMatch } from '../model/istio-views';
import { Manifest, ManifestIndex } from '../model/manifest';

/** A rule that never matches, and why. */
export interface DeadRule {
  readonly index: number;
  readonly name?: string;
  readonly reason: string;
}

const same = (a: StringMatch | undefined, b: StringMatch | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether every value `narrow` accepts, `wide` accepts too (for the forms this can tell). */
function stringCovers(wide: StringMatch, narrow: StringMatch): boolean {
  if (same(wide, narrow)) return true;
  if (wide.exact === undefined && wide.prefix === undefined && wide.regex === undefined) return true; // presence
  if (wide.regex === '.*') return true;
  if (wide.prefix !== undefined) {
    const n = narrow.exact ?? narrow.prefix;
    return n !== undefined && n.startsWith(wide.prefix);
  }
  return false;
}

function mapCovers(wide: Readonly<Record<string, StringMatch>> | undefined, narrow: Readonly<Record<string, StringMatch>> | undefined, exact = false): boolean {
  return Object.entries(wide ?? {}).every(([k, w]) => {
    const n = narrow?.[k];
    return n !== undefined && (exact ? same(w, n) : stringCovers(w, n));
  });
}

/** Whether every request `narrow` matches, `wide` matches too. */
export function entryCovers(wide: HttpMatch, narrow: HttpMatch): boolean {
  const fields = ['uri', 'method', 'authority', 'scheme'] as const;
  if (!fields.every((f) => wide[f] === undefined || (narrow[f] !== undefined && stringCovers(wide[f]!, narrow[f]!)))) return false;
  if ((wide.ignoreUriCase ?? false) !== (narrow.ignoreUriCase ?? false) && wide.uri !== undefined) return false;
  if (!mapCovers(wide.headers, narrow.headers) || !mapCovers(wide.queryParams, narrow.queryParams)) return false;
  // withoutHeaders: the wide entry's absences must be among the narrow entry's, as written.
  if (!mapCovers(wide.withoutHeaders, narrow.withoutHeaders, true)) return false;
  if (wide.port !== undefined && wide.port !== narrow.port) return false;
  if (wide.sourceNamespace !== undefined && wide.sourceNamespace !== narrow.sourceNamespace) return false;
  if (!Object.entries(wide.sourceLabels ?? {}).every(([k, v]) => narrow.sourceLabels?.[k] === v)) return false;
  const wg = wide.gateways ?? [];
  return wg.length === 0 || ((narrow.gateways ?? []).length > 0 && (narrow.gateways ?? []).every((g) => wg.includes(g)));
}

const matchesAll = (rule: HttpRule) => !rule.match || rule.match.length === 0 || rule.match.some((m) => Object.keys(m).length === 0);

function gatewayName(g: string): string {
  return g.includes('/') ? g.split('/')[1] : g;
}

/** The rules of `vs` that never match, in order. */
export function deadRules(index: ManifestIndex, vs: Manifest): DeadRule[] {
  const spec = index.views.virtualService(vs);
  const http = spec.http ?? [];
  const applies = (spec.gateways ?? []).length === 0 ? ['mesh'] : spec.gateways ?? [];
  const out: DeadRule[] = [];
  const earlier: Array<{ readonly index: number; readonly entry: HttpMatch }> = [];
  let catchAll: number | undefined;
  http.forEach((rule, i) => {
    const dead = (reason: string) => out.push({ index: i, ...(rule.name ? { name: rule.name } : {}), reason });
    if (catchAll !== undefined) {
      dead(`after http[${catchAll}], which matches every request`);
      return;
    }
    const entries = rule.match ?? [];
    const live = entries.filter((m) => !(m.gateways && m.gateways.length > 0 && !m.gateways.some((g) => applies.some((a) => gatewayName(a) === gatewayName(g)))));
    if (entries.length > 0 && live.length === 0) {
      dead(`its matches name gateways (${[...new Set(entries.flatMap((m) => m.gateways ?? []))].join(', ')}) the VirtualService does not apply to (${applies.join(', ')})`);
      return;
    }
    const shadow = live.length > 0 ? live.map((m) => earlier.find((e) => entryCovers(e.entry, m))) : [];
    if (shadow.length > 0 && shadow.every((s) => s !== undefined)) {
      dead(`every request it matches, http[${[...new Set(shadow.map((s) => s!.index))].join('], http[')}] matches first`);
      return;
    }
    live.forEach((entry) => earlier.push({ index: i, entry }));
    if (matchesAll(rule)) catchAll = i;
  });
  return out;
}
