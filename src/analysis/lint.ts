/**
 * Lint: cross-object and semantic checks a schema cannot make, over any manifests. Every rule
 * file exports one check ({@link LintCheck}); {@link LINT_CHECKS} is the table of them, and every
 * code is listed with its severity in {@link LINT_RULES} (`gray-release rules`). Findings are
 * ordered by object, then code; suppressed ones (lint-suppress.ts) are kept apart.
 */
import { COLORING_CHECK } from './lint-coloring';
import { KRUISE_CHECK } from './lint-kruise';
import { LANES_CHECK } from './lint-lanes';
import { PORT_CHECK } from './lint-ports';
import { RELEASE_POLICY_CHECK } from './lint-release-policy';
import { ROUTING_CHECK } from './lint-routing';
import { SECURITY_CHECK } from './lint-security';
import { SUPPRESSION_CHECK, applySuppressions } from './lint-suppress';
import { Finding, LintCheck, RuleInfo } from './lint-types';
import { ManifestIndex, formatRef, indexManifests, refOf } from '../model/manifest';

export * from './lint-types';

/** Every rule file's check, in the order they run. */
export const LINT_CHECKS: readonly LintCheck[] = [
  ROUTING_CHECK,
  LANES_CHECK,
  KRUISE_CHECK,
  COLORING_CHECK,
  RELEASE_POLICY_CHECK, // GR015 (#12)
  PORT_CHECK, // GR020 (#13)
  SECURITY_CHECK, // GR101-GR107 (#16)
  SUPPRESSION_CHECK,
];

/** The rules: code → severity and summary. Codes are stable; new rules get new codes. */
export const LINT_RULES: Readonly<Record<string, RuleInfo>> = Object.fromEntries(
  LINT_CHECKS.flatMap((c) => Object.entries(c.rules)).sort(([a], [b]) => a.localeCompare(b)),
);

/** Options of {@link lintReport}. */
export interface LintOptions {
  /** Codes to ignore, each with the reason shown (default: "--ignore"). */
  readonly ignore?: ReadonlyMap<string, string> | readonly string[];
}

/** The findings that count, and those that are suppressed. */
export interface LintReport {
  readonly findings: Finding[];
  readonly suppressed: Finding[];
}

function ignoreMap(ignore: LintOptions['ignore']): ReadonlyMap<string, string> {
  if (ignore === undefined) return new Map();
  if ('get' in ignore) return ignore;
  return new Map(ignore.map((c) => [c, '--ignore']));
}

const key = (f: Finding) => `${formatRef(f.object)}\u0000${f.code}`;

/** Every finding, each marked when suppressed, ordered by object then code (stable within a code). */
export function lintIndexed(index: ManifestIndex, opts: LintOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const c of LINT_CHECKS) {
    c.check(index, (code, m, message) => out.push({ code, severity: LINT_RULES[code]?.severity ?? 'error', object: refOf(m), message }));
  }
  const all = applySuppressions(index, out, LINT_RULES, ignoreMap(opts.ignore));
  return all.map((f, i) => ({ f, i, k: key(f) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i)).map((x) => x.f);
}

/** Lints manifests: the findings that count and the suppressed ones. */
export function lintReport(manifests: readonly unknown[], opts: LintOptions = {}): LintReport {
  const all = lintIndexed(indexManifests(manifests), opts);
  return { findings: all.filter((f) => !f.suppressed), suppressed: all.filter((f) => f.suppressed) };
}

/** Runs every rule; returns the findings that count (not suppressed), ordered by object then code. */
export function lint(manifests: readonly unknown[], opts: LintOptions = {}): Finding[] {
  return lintReport(manifests, opts).findings;
}

/** Whether any finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
