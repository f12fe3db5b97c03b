/**
 * Writes lint suppressions onto a construct's objects: the annotation
 * `gray-release.io/lint-ignore` (grammar in src/model/lint-ignore.ts), so the suppression and
 * its reason are in the manifests a reviewer reads, next to the object the finding names.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { problemsAt } from './state';
import { LINT_CODE, LintIgnoreEntry, formatLintIgnore, isLintIgnoreReason } from '../../model/lint-ignore';
import { WellKnown } from '../../model/well-known';

const ID = 'GrayReleaseLintIgnore';

/** The suppressions of one construct; its objects' annotation is produced from them at synth. */
class LintIgnores extends Construct {
  public static of(scope: IConstruct): LintIgnores {
    return (scope.node.tryFindChild(ID) as LintIgnores | undefined) ?? new LintIgnores(scope as Construct);
  }

  private readonly entries: LintIgnoreEntry[] = [];
  private readonly annotated = new WeakSet<ApiObject>();

  private constructor(scope: Construct) {
    super(scope, ID);
  }

  public add(entry: LintIgnoreEntry): void {
    this.entries.push(entry);
    const value = Lazy.any({ produce: () => formatLintIgnore(this.entries) }) as unknown as string;
    for (const o of this.node.scope!.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      if (this.annotated.has(o)) continue;
      this.annotated.add(o);
      o.metadata.addAnnotation(WellKnown.LINT_IGNORE_ANNOTATION, value);
    }
  }
}

/**
 * Records that lint findings `codes` on the objects of `scope` are intended, and why: every
 * object `scope` holds when this is called gets the annotation `gray-release.io/lint-ignore:
 * "<codes>: <reason>"` (several calls add entries separated by `;`). `gray-release lint` and the
 * cdk8s validation plugin then list those findings as suppressed, with the reason.
 *
 * @param codes one lint code or several, e.g. `'GR009'` (see `gray-release rules`)
 * @param reason why the finding is intended: one line, no `;`
 * @example ignoreLint(reviews, 'GR009', 'end-user is set by productpage after login')
 */
export function ignoreLint(scope: IConstruct, codes: string | readonly string[], reason: string): void {
  const list = typeof codes === 'string' ? [codes] : [...codes];
  const p = problemsAt(scope);
  if (list.length === 0) p.add('codes', 'no lint code given', 'name the codes to suppress, e.g. "GR009" (gray-release rules lists them)');
  for (const c of list) {
    if (typeof c !== 'string' || !LINT_CODE.test(c)) p.add('codes', `${JSON.stringify(c)} is not a lint code`, 'use GR followed by three digits, e.g. "GR009" (gray-release rules lists them)');
  }
  if (!isLintIgnoreReason(reason)) {
    const what = typeof reason === 'string' && reason.trim().length > 0
      ? `${JSON.stringify(reason)} contains ";" or a line break, which separate the annotation's entries`
      : `${JSON.stringify(reason)} is not a reason a reviewer can read`;
    p.add('reason', what, 'say in one line, without ";", why the finding is intended');
  }
  p.throwIfAny();
  LintIgnores.of(scope).add({ codes: list, reason: reason.trim() });
}
