/**
 * Plain-text rendering of analysis results: aligned tables for the command line.
 */
import { ExplainResult, Hop } from './explain';

/** Renders rows as a left-aligned table with a header row. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One row per destination of every hop, indented by depth. */
export function explainRows(result: ExplainResult): string[][] {
  const rows: string[][] = [];
  const walk = (hop: Hop, depth: number) => {
    const route = hop.virtualService
      ? `${hop.virtualService}${hop.rule ? `#${hop.rule.index}${hop.rule.name ? ` (${hop.rule.name})` : ''}: ${hop.rule.match}` : ''}`
      : hop.outcome === 'route' ? '(no VirtualService)' : '';
    const first = [String(depth + 1), `${'  '.repeat(depth)}${hop.from}`, hop.service ?? hop.host, route];
    if (hop.destinations.length === 0) {
      rows.push([...first, '-', '-', '-', `${hop.status ?? ''} ${hop.message ?? hop.outcome}`.trim()]);
      return;
    }
    hop.destinations.forEach((d, i) => {
      const cells = i === 0 ? first : ['', '', '', ''];
      const target = `${d.service ?? d.host}${d.subset ? `/${d.subset}` : ''}`;
      const workloads = d.workloads.map((w) => `${w.name}${w.canary ? ' (canary)' : ''}`).join(', ') || '-';
      const outcome = d.status ? `${d.status} ${d.message ?? ''}`.trim() : d.selection;
      rows.push([...cells, target, `${Math.round(d.share * 1000) / 10}%`, workloads, outcome]);
      d.workloads.forEach((w) => w.calls.forEach((c) => walk(c, depth + 1)));
    });
  };
  result.hops.forEach((h) => walk(h, 0));
  return rows;
}

/** The explain table with a one-line summary of the request and any warnings. */
export function formatExplain(result: ExplainResult): string {
  const headers = Object.entries(result.headers).map(([k, v]) => `${k}: ${v}`).join(', ') || '(none)';
  const release = result.release.length ? `  release: ${result.release.join(', ')}` : '';
  const table = renderTable(['HOP', 'FROM', 'SERVICE', 'ROUTE', 'DESTINATION', 'SHARE', 'WORKLOADS', 'RESULT'], explainRows(result));
  const warnings = result.warnings.map((w) => `warning: ${w}`);
  return [`${result.entry}  headers: ${headers}${release}`, table, ...warnings].join('\n');
}
