/**
 * Request classes for the routing diff: the requests that any rule (of either version) tells
 * apart, enumerated from the rules themselves, bounded and in a fixed order.
 *
 * A rule's match entry is a conjunction of conditions on headers, query parameters, the path,
 * the method, the port and the calling workload. For one entry point the classes are:
 * 1. the plain request: `GET /`, no header or query parameter any rule tests, from a plain client;
 * 2. per match entry of every rule: a witness that satisfies all its conditions (and, for
 *    `withoutHeaders`, leaves the header out), so every rule that can match is reached;
 * 3. per value a condition names: the plain request with that one value (a header `exact`
 *    value, a `prefix` itself, literal alternatives of a `regex`), so each value is seen alone;
 * 4. at a gateway, per header the coloring reads, each string literal of its scripts that
 *    changes what the coloring does (see coloring-probe.ts).
 * Values no witness can be derived for (a general regex) are reported as notes. Classes are
 * deduplicated and sorted by their description; at most {@link MAX_CLASSES} per entry.
 */
import { compileIstioRegex } from './match';
import { HttpMatch, HttpRule, StringMatch } from '../model/istio-views';

/** Classes per entry point at most (the rest are dropped with a note). */
export const MAX_CLASSES = 256;

/** One request class: what the request carries. */
export interface RequestClass {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly path: string;
  readonly method: string;
  readonly port?: number;
  /** Pod labels of the calling workload (for `sourceLabels`). */
  readonly source?: Readonly<Record<string, string>>;
}

/** The plain request. */
export const PLAIN: RequestClass = { headers: {}, query: {}, path: '/', method: 'GET' };

/** A short, stable description: `my-request-id: canary`, `GET /productpage`, `(plain request)`. */
export function describeClass(c: RequestClass): string {
  const parts: string[] = [];
  if (c.method !== 'GET' || c.path !== '/' || Object.keys(c.query).length > 0) {
    const q = Object.entries(c.query).map(([k, v]) => `${k}=${v}`).join('&');
    parts.push(`${c.method} ${c.path}${q ? `?${q}` : ''}`);
  }
  if (c.port !== undefined) parts.push(`port ${c.port}`);
  parts.push(...Object.entries(c.headers).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`));
  if (c.source) parts.push(`from ${Object.entries(c.source).map(([k, v]) => `${k}=${v}`).join(',')}`);
  return parts.length > 0 ? parts.join(', ') : '(plain request)';
}

/** `lit(alt|alt)lit`: one group of literal alternatives between literal text. */
const GROUP = /^([A-Za-z0-9_\-/:@ ,=]*)\((?:\?:)?([A-Za-z0-9_\-/:@ ,=|]*)\)([A-Za-z0-9_\-/:@ ,=]*)$/;
function groupAlternatives(body: string): string[] {
  const [, head, alts, tail] = GROUP.exec(body) ?? [];
  return alts.split('|').map((a) => `${head}${a}${tail}`);
}

/** Literal witnesses of an RE2 pattern: the text itself, alternatives `a|b`, `prefix.*`; undefined when none. */
export function regexWitnesses(pattern: string): string[] | undefined {
  const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
  const literal = /^[A-Za-z0-9_\-/:@ ,=]*$/;
  const inner = /^\((?:\?:)?(.*)\)$/.exec(body)?.[1] ?? body;
  let candidates: string[];
  if (body === '.*' || body === '.+') candidates = ['x'];
  else if (inner.split('|').every((a) => literal.test(a))) candidates = inner.split('|');
  else if (/^[A-Za-z0-9_\-/:@]*\.[*+]$/.test(body)) candidates = [`${body.slice(0, -2)}x`];
  else if (GROUP.test(body)) candidates = groupAlternatives(body);
  else return undefined;
  try {
    const re = compileIstioRegex(pattern);
    const ok = candidates.filter((c) => re.test(c));
    return ok.length > 0 ? ok : undefined;
  } catch {
    return undefined;
  }
}

/** Values that satisfy a StringMatch (`{}` = present: "x"); undefined when none can be derived. */
export function witnesses(m: StringMatch): string[] | undefined {
  if (m.exact !== undefined) return [m.exact];
  if (m.prefix !== undefined) return [m.prefix === '' ? 'x' : m.prefix];
  if (m.regex !== undefined) return regexWitnesses(m.regex);
  return ['x'];
}

/** A change to the plain request that one condition asks for. */
type Patch = (c: RequestClass) => RequestClass;

function valuePatches(kind: 'headers' | 'query', name: string, values: readonly string[]): Patch[] {
  return values.map((v) => (c) => ({ ...c, [kind]: { ...c[kind], [name]: v } }));
}

/** The patches of one match entry: per condition, the values that satisfy it (first = the witness). */
function conditions(m: HttpMatch, notes: Set<string>): Patch[][] {
  const out: Patch[][] = [];
  const values = (what: string, sm: StringMatch) => {
    const w = witnesses(sm);
    if (!w) notes.add(`no request value derived for ${what} regex ${JSON.stringify(sm.regex)}; requests it matches are not compared`);
    return w ?? [];
  };
  for (const [n, sm] of Object.entries(m.headers ?? {})) out.push(valuePatches('headers', n.toLowerCase(), values(`header ${n}`, sm)));
  for (const [n, sm] of Object.entries(m.queryParams ?? {})) out.push(valuePatches('query', n, values(`query ${n}`, sm)));
  // withoutHeaders: the witness leaves the header out; its values are still seen alone (rule 3).
  for (const [n, sm] of Object.entries(m.withoutHeaders ?? {})) out.push([(c) => c, ...valuePatches('headers', n.toLowerCase(), values(`header ${n}`, sm))]);
  if (m.uri) out.push(values('uri', m.uri).map((v): Patch => (c) => ({ ...c, path: v.startsWith('/') ? v : `/${v}` })));
  if (m.method) out.push(values('method', m.method).map((v): Patch => (c) => ({ ...c, method: v.toUpperCase() })));
  if (m.port !== undefined) out.push([(c) => ({ ...c, port: m.port })]);
  if (m.sourceLabels && Object.keys(m.sourceLabels).length > 0) out.push([(c) => ({ ...c, source: { ...(c.source ?? {}), ...m.sourceLabels } })]);
  return out.filter((p) => p.length > 0);
}

function key(c: RequestClass): string {
  const sorted = (r: Readonly<Record<string, string>> | undefined) => Object.entries(r ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([c.method, c.path, c.port ?? null, sorted(c.headers), sorted(c.query), sorted(c.source)]);
}

/** The classes the given rules (of every version and state) tell apart, plus extra header values. */
export function requestClasses(
  rules: readonly HttpRule[], extraHeaders: ReadonlyArray<readonly [string, string]> = [], base: RequestClass = PLAIN,
): { readonly classes: RequestClass[]; readonly notes: string[] } {
  const notes = new Set<string>();
  const found = new Map<string, RequestClass>();
  const add = (c: RequestClass) => {
    if (!found.has(key(c))) found.set(key(c), c);
  };
  add(base);
  for (const rule of rules) {
    for (const m of rule.match ?? []) {
      const conds = conditions(m, notes);
      add(conds.reduce((c, options) => options[0](c), base));
      for (const options of conds) for (const p of options) add(p(base));
    }
  }
  for (const [h, v] of extraHeaders) add({ ...base, headers: { ...base.headers, [h]: v } });
  const sorted = [...found.values()].sort((a, b) => describeClass(a).localeCompare(describeClass(b)));
  if (sorted.length > MAX_CLASSES) notes.add(`${sorted.length} request classes; only the first ${MAX_CLASSES} (by description) are compared`);
  return { classes: sorted.slice(0, MAX_CLASSES), notes: [...notes].sort() };
}
