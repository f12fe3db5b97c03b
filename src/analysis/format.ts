/**
 * Plain-text rendering of analysis results: aligned tables for the command line.
 */

/** Renders rows as a left-aligned table with a header row. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export { formatExplain } from './explain-format';
