/**
 * What a gateway's coloring does in general, found by running its Lua on probe requests: the
 * headers it can set, and what every request without them leaves with (its default). The probes:
 * a request without headers; then, for each header the script read, that header with each string
 * literal of the script as its value (and "x"), bounded by {@link MAX_PROBES}. The literals are
 * where a script's comparisons live (`headers:get("agent") == "pc"`), so the rules are exercised.
 */
import { GatewayFilter, runColoring } from './coloring';
import { LuaScripts } from './lua-vm';
import { annotationList } from '../model/manifest';
import { WellKnown } from '../model/well-known';

/** Runs per filter at most (each run costs about a millisecond in fengari). */
export const MAX_PROBES = 64;

/** The string literals of a Lua script ("..." and '...', simple escapes), in order, each once. */
export function luaStringLiterals(script: string): string[] {
  const out = new Set<string>();
  const re = /"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'/g;
  for (let m = re.exec(script); m; m = re.exec(script)) {
    out.add((m[1] ?? m[2]).replace(/\\(.)/g, '$1'));
  }
  return [...out];
}

/** What probing found. */
export interface ColoringProbe {
  /** Header names the filters set or remove on some probe (plus the sets-headers annotation). */
  readonly sets: Set<string>;
  /** The headers a request without headers leaves with: the coloring's defaults. */
  readonly defaults: Record<string, string>;
  /** Header names the scripts read. */
  readonly reads: Set<string>;
  /** Literal values of the scripts (candidate request values for the headers they read). */
  readonly literals: string[];
}

const PSEUDO = { ':authority': 'example.com', ':path': '/', ':method': 'GET', ':scheme': 'http' };

/** Probes the filters (in their order) at one gateway port. */
export function probeColoring(vm: LuaScripts, filters: readonly GatewayFilter[], authority = 'example.com'): ColoringProbe {
  const run = (headers: Record<string, string>) => runColoring(vm, filters, {
    headers: { ...PSEUDO, ':authority': authority, ...headers }, clientAddress: '192.0.2.10:40000', localAddress: '0.0.0.0:8080',
  });
  const sets = new Set<string>(filters.flatMap((f) => annotationList(f.manifest, WellKnown.SETS_HEADERS_ANNOTATION).map((h) => h.toLowerCase())));
  const reads = new Set<string>();
  const literals = [...new Set(filters.flatMap((f) => (f.script ? luaStringLiterals(f.script) : [])))];
  const queue: string[] = [];
  const note = (c: ReturnType<typeof run>) => {
    for (const s of c.steps) {
      for (const e of s.edits) sets.add(e.name);
      for (const r of s.reads) {
        if (!reads.has(r)) {
          reads.add(r);
          if (!r.startsWith(':')) queue.push(r);
        }
      }
    }
  };
  const first = run({});
  note(first);
  const defaults = Object.fromEntries(Object.entries(first.headers).filter(([k]) => !k.startsWith(':')));
  let probes = 0;
  for (let i = 0; i < queue.length && probes < MAX_PROBES; i++) {
    for (const value of [...literals, 'x']) {
      if (++probes > MAX_PROBES) break;
      note(run({ [queue[i]]: value }));
    }
  }
  return { sets, defaults, reads, literals };
}
