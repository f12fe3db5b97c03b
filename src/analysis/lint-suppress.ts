/**
 * Suppressions: findings a reviewer agreed to, visible where they review — the
 * `gray-release.io/lint-ignore` annotation on the object (grammar in src/model/lint-ignore.ts,
 * a reason required) — or given on the command line (`--ignore CODE`). A malformed annotation
 * suppresses nothing and is a finding itself (GR019), which nothing suppresses.
 */
import { Finding, LintCheck, RuleInfo } from './lint-types';
import { parseLintIgnore } from '../model/lint-ignore';
import { Manifest, ManifestIndex, formatRef, refOf } from '../model/manifest';
import { WellKnown } from '../model/well-known';

/** The code of a malformed suppression. */
export const MALFORMED_SUPPRESSION = 'GR019';

/** GR019. */
export const SUPPRESSION_CHECK: LintCheck = {
  rules: {
    [MALFORMED_SUPPRESSION]: { severity: 'error', summary: 'lint-ignore annotation is malformed or names an unknown code (it suppresses nothing)' },
  },
  check: () => undefined, // reported by applySuppressions, which knows the codes
};

/** Suppressions per object (`Kind/namespace/name`): code → reason. */
type Suppressions = Map<string, Map<string, string>>;

function readAnnotations(index: ManifestIndex, rules: Readonly<Record<string, RuleInfo>>, malformed: (m: Manifest, message: string) => void): Suppressions {
  const out: Suppressions = new Map();
  for (const m of index.all) {
    const value = m.metadata.annotations?.[WellKnown.LINT_IGNORE_ANNOTATION];
    if (value === undefined) continue;
    const parsed = parseLintIgnore(value);
    for (const p of parsed.problems) malformed(m, `${WellKnown.LINT_IGNORE_ANNOTATION}: ${p}`);
    const codes = new Map<string, string>();
    for (const e of parsed.entries) {
      for (const code of e.codes) {
        if (code === MALFORMED_SUPPRESSION || !Object.prototype.hasOwnProperty.call(rules, code)) {
          malformed(m, `${WellKnown.LINT_IGNORE_ANNOTATION}: ${code} ${code === MALFORMED_SUPPRESSION ? 'cannot be suppressed' : 'is not a lint code (see gray-release rules)'}`);
        } else {
          codes.set(code, e.reason);
        }
      }
    }
    if (codes.size > 0) out.set(formatRef(refOf(m)), codes);
  }
  return out;
}

/**
 * Marks the findings the annotations or `ignore` suppress, and adds the GR019 findings of
 * malformed annotations. `ignore` maps a code to the reason shown (e.g. "--ignore on the command line").
 */
export function applySuppressions(
  index: ManifestIndex, findings: readonly Finding[], rules: Readonly<Record<string, RuleInfo>>, ignore: ReadonlyMap<string, string>,
): Finding[] {
  const extra: Finding[] = [];
  const annotations = readAnnotations(index, rules, (m, message) =>
    extra.push({ code: MALFORMED_SUPPRESSION, severity: rules[MALFORMED_SUPPRESSION].severity, object: refOf(m), message }));
  const marked = findings.map((f): Finding => {
    const reason = annotations.get(formatRef(f.object))?.get(f.code);
    if (reason !== undefined) return { ...f, suppressed: { by: 'annotation', reason } };
    const option = ignore.get(f.code);
    return option !== undefined ? { ...f, suppressed: { by: 'option', reason: option } } : f;
  });
  return [...marked, ...extra];
}
