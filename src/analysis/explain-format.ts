/**
 * The explanation as text: a tree. Each hop names the caller and the host, what the gateway's
 * coloring did, the rule that matched and its policy; under it, every branch of the rule in order
 * (share, destination, workloads), and under each branch the hops of the calls its pods make.
 */
import { describeEdits } from './coloring';
import { ExplainedDestination, ExplainedFault, ExplainResult, Hop } from './explain-types';

const pct = (share: number): string => `${Math.round(share * 1000) / 10}%`;

function describeFault(f: ExplainedFault): string[] {
  const out: string[] = [];
  if (f.delay) out.push(`fault: delay ${f.delay.fixedDelay ?? '(exponential)'} for ${f.delay.percent}% of requests`);
  if (f.abort) {
    const all = f.abort.percent >= 100 ? ': every request is answered so, none reaches the branches below' : '';
    out.push(`fault: abort with ${f.abort.httpStatus ?? f.abort.grpcStatus ?? '?'} for ${f.abort.percent}% of requests${all}`);
  }
  return out;
}

/** The lines that describe a hop before its branches. */
function hopDetails(hop: Hop): string[] {
  const lines: string[] = [];
  for (const c of hop.coloring ?? []) {
    const what = c.outcome === 'not-modelled' ? `not run (${c.message})`
      : c.outcome === 'error' ? `Lua error, edits before it kept: ${describeEdits(c)}; ${c.message}`
        : c.outcome === 'responded' ? `answers ${c.status} itself` : describeEdits(c);
    lines.push(`colored: ${what} by ${c.filter}`);
    if (c.unknownApi.length > 0) lines.push(`  (looked up ${c.unknownApi.join(', ')}: absent in Envoy 1.31, nil)`);
    if (c.streamReads.length > 0) lines.push(`  (read ${c.streamReads.join(', ')})`);
  }
  if (hop.virtualService) {
    const rule = hop.rule ? ` http[${hop.rule.index}]${hop.rule.name ? ` (${hop.rule.name})` : ''}: ${hop.rule.match}` : '';
    lines.push(`route: ${hop.virtualService}${rule}`);
  } else if (hop.outcome === 'route') {
    lines.push('route: no VirtualService (all pods of the Service)');
  }
  const r = hop.rule;
  if (r?.timeout) lines.push(`timeout: ${r.timeout}`);
  if (r?.retries) lines.push(`retries: ${r.retries.attempts ?? '?'} attempts${r.retries.perTryTimeout ? `, ${r.retries.perTryTimeout} each` : ''}${r.retries.retryOn ? ` on ${r.retries.retryOn}` : ''}`);
  if (r?.fault) lines.push(...describeFault(r.fault));
  for (const m of r?.mirrors ?? []) lines.push(`mirror: ${m.percent}% copied to ${m.host}${m.subset ? `/${m.subset}` : ''} (answer ignored)`);
  if (hop.destinations.length === 0) lines.push(`result: ${`${hop.status ?? ''} ${hop.message ?? hop.outcome}`.trim()}`);
  return lines;
}

function branchLine(d: ExplainedDestination): string {
  const target = `${d.service ?? d.host}${d.subset ? `/${d.subset}` : ''}${d.port !== undefined ? `:${d.port}` : ''}`;
  const sets = d.sets ? ` sets ${Object.entries(d.sets).map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
  if (d.status) return `${pct(d.share)} ${target}${sets} → ${d.status} ${d.message ?? ''}`.trimEnd();
  const workloads = d.workloads.map((w) => `${w.name}${w.canary ? ' (canary)' : ''}`).join(', ') || '-';
  return `${pct(d.share)} ${target}${sets} → ${workloads}  [${d.selection}]`;
}

/** The destination's policy worth a line: everything but the load balancer's simple algorithm. */
function policyLine(d: ExplainedDestination): string | undefined {
  const entries = Object.entries(d.trafficPolicy ?? {}).filter(([k]) => k !== 'loadBalancer.simple');
  return entries.length > 0 ? `policy: ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}` : undefined;
}

function renderHop(hop: Hop, prefix: string, out: string[]): void {
  const to = `${hop.service ?? hop.host}${hop.port !== undefined ? `:${hop.port}` : ''}`;
  out.push(`${prefix}${hop.from} → ${to}`);
  for (const l of hopDetails(hop)) out.push(`${prefix}  ${l}`);
  hop.destinations.forEach((d, i) => {
    const last = i === hop.destinations.length - 1;
    out.push(`${prefix}  ${last ? '└─' : '├─'} ${branchLine(d)}`);
    const under = `${prefix}  ${last ? '   ' : '│  '}`;
    const policy = policyLine(d);
    if (policy) out.push(`${under}${policy}`);
    for (const w of d.workloads) for (const call of w.calls) renderHop(call, under, out);
  });
}

/** The explanation: the request, then the tree of hops, then warnings. */
export function formatExplain(result: ExplainResult): string {
  const r = result.request;
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join(', ') || '(none)';
  const out = [`request: ${r.method} ${r.path}${r.port !== undefined ? ` port ${r.port}` : ''}${r.authority ? ` host ${r.authority}` : ''}  headers: ${headers}`];
  if (result.release.length > 0) out.push(`release: ${result.release.join(', ')} (as Kruise rewrites the routes)`);
  for (const n of result.notes ?? []) out.push(`note: ${n}`);
  out.push(`entry: ${result.entry}`);
  for (const hop of result.hops) renderHop(hop, '', out);
  for (const w of result.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
