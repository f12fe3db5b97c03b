/**
 * The shape every lint rule file shares: a rule file exports one {@link LintCheck} (its codes
 * with severity and summary, and the function that reports them), and lint.ts lists the checks
 * in one table. A new rule file plugs in by adding its check to that table.
 */
import type { Manifest, ManifestIndex, ObjectRef } from '../model/manifest';

export type Severity = 'error' | 'warning';

/** A rule's severity and one-line summary (what `gray-release rules` prints). */
export interface RuleInfo {
  readonly severity: Severity;
  readonly summary: string;
}

/** Why a finding is not counted: the object's annotation, or `--ignore` on the command line. */
export interface Suppression {
  readonly by: 'annotation' | 'option';
  readonly reason: string;
}

/** One problem found. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly object: ObjectRef;
  readonly message: string;
  /** Set on findings that are intended (see {@link Suppression}). */
  readonly suppressed?: Suppression;
}

/** Reports a finding with `code` on manifest `m`. */
export type Report = (code: string, m: Manifest, message: string) => void;

/** One rule file: its codes, and the check that reports them over an index. */
export interface LintCheck {
  readonly rules: Readonly<Record<string, RuleInfo>>;
  readonly check: (index: ManifestIndex, report: Report) => void;
}
