/**
 * The lint suppression a reviewer can see: the annotation `gray-release.io/lint-ignore` on the
 * object a finding names. Its grammar (one definition, read by lint and written by the constructs):
 *
 * ```
 * value   = entry *( ";" entry )
 * entry   = codes ":" reason
 * codes   = code *( "," code )        ; spaces around codes are ignored
 * code    = "GR" 3DIGIT               ; e.g. GR009
 * reason  = 1*( any character but ";" and line breaks ), not only spaces
 * ```
 *
 * Example: `GR009: end-user is set by productpage after login; GR015: timeouts are not needed on the canary`.
 * An entry without a reason, or with a malformed code, suppresses nothing (lint reports GR019).
 */

/** One suppression: codes and why. */
export interface LintIgnoreEntry {
  readonly codes: readonly string[];
  readonly reason: string;
}

/** The entries of an annotation value, and the entries that could not be read. */
export interface ParsedLintIgnore {
  readonly entries: LintIgnoreEntry[];
  /** One sentence per malformed entry. */
  readonly problems: string[];
}

/** A lint code: `GR` and three digits. */
export const LINT_CODE = /^GR[0-9]{3}$/;

/** Whether a reason can be written into the annotation (not blank, no `;`, no line break). */
export function isLintIgnoreReason(reason: string): boolean {
  return typeof reason === 'string' && reason.trim().length > 0 && !/[;\r\n]/.test(reason);
}

/** Reads an annotation value (see the grammar above). */
export function parseLintIgnore(value: string): ParsedLintIgnore {
  const entries: LintIgnoreEntry[] = [];
  const problems: string[] = [];
  for (const raw of value.split(';')) {
    const text = raw.trim();
    if (text === '') continue;
    const colon = text.indexOf(':');
    if (colon < 0) {
      problems.push(`"${text}" has no ": reason" (write "CODE: why the finding is intended")`);
      continue;
    }
    const codes = text.slice(0, colon).split(',').map((c) => c.trim());
    const reason = text.slice(colon + 1).trim();
    const bad = codes.filter((c) => !LINT_CODE.test(c));
    if (bad.length > 0) problems.push(`"${text}": ${bad.map((c) => JSON.stringify(c)).join(', ')} is not a lint code (GR followed by three digits)`);
    else if (reason === '') problems.push(`"${text}" gives no reason after the ":"`);
    else entries.push({ codes, reason });
  }
  return { entries, problems };
}

/** Writes entries as an annotation value. */
export function formatLintIgnore(entries: readonly LintIgnoreEntry[]): string {
  return entries.map((e) => `${e.codes.join(',')}: ${e.reason.trim()}`).join('; ');
}
