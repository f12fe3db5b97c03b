/**
 * `cdk8s-gray-release/validation`: the lint as a cdk8s-cli validation plugin, so `cdk8s synth`
 * checks what it wrote and fails on errors (warnings are listed; suppressed findings are not).
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: ./node_modules/cdk8s-gray-release/lib/src/plugin   # a local path must start with ./ (or be absolute)
 *     version: 0.0.0                                                # required by cdk8s-cli, and pinned
 *     class: GrayReleaseValidation
 *     properties: { failOn: error, ignore: [] }                     # optional
 * ```
 *
 * The contract (cdk8s-team/cdk8s-cli `src/plugins/validation.ts`, v2.1.0 onwards, checked against
 * 2.207.60): cdk8s-cli `require`s the module, constructs `new GrayReleaseValidation(properties)`
 * and awaits `validate(context)`; `context.manifests` are the paths of the YAML files synthesized;
 * each violation is `report.addViolation({ ruleName, recommendation, fix, violatingResources })`
 * with `{ resourceName, locations, manifestPath }` per object; the plugin must end with
 * `report.submit('success' | 'failure', metadata)`, and a failed report makes synth exit 2.
 * The types below are that contract's shape, declared here so the package needs no cdk8s-cli.
 */
import * as fs from 'fs';
import { Finding, LINT_RULES, Manifest, formatRef, indexManifests, lintIndexed, parseManifests, refOf } from '../analysis';
import { WellKnown } from '../model/well-known';

/** An object a violation names. */
export interface ViolatingResource {
  readonly resourceName: string;
  readonly locations: string[];
  readonly manifestPath: string;
}

/** One violation of the report. */
export interface Violation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: ViolatingResource[];
}

/** The report a validation fills (cdk8s-cli's `ValidationReport`). */
export interface ValidationReportLike {
  addViolation(violation: Violation): void;
  submit(status: 'success' | 'failure', metadata?: { [key: string]: string }): void;
}

/** What cdk8s-cli hands a validation (its `ValidationContext`, the fields read here). */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: ValidationReportLike;
}

/** The `properties` of the plugin in cdk8s.yaml. */
export interface GrayReleaseValidationProps {
  /** Fail synth on errors only, or on warnings too. @default 'error' */
  readonly failOn?: 'error' | 'warning';
  /** Lint codes not to report (prefer the per-object annotation, which carries a reason). @default [] */
  readonly ignore?: readonly string[];
}

function readProps(raw: unknown): Required<GrayReleaseValidationProps> {
  const props = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? Object.entries(raw) : [];
  const out: { failOn: 'error' | 'warning'; ignore: string[] } = { failOn: 'error', ignore: [] };
  for (const [k, v] of props) {
    if (k === 'failOn' && (v === 'error' || v === 'warning')) out.failOn = v;
    else if (k === 'ignore' && Array.isArray(v) && v.every((c): c is string => typeof c === 'string' && Object.prototype.hasOwnProperty.call(LINT_RULES, c))) out.ignore = v;
    else throw new Error(`GrayReleaseValidation: property ${k}: ${JSON.stringify(v)} is not valid (failOn: error | warning; ignore: a list of lint codes)`);
  }
  return out;
}

/** The cdk8s-cli validation plugin running `gray-release lint` on the synthesized manifests. */
export class GrayReleaseValidation {
  private readonly props: Required<GrayReleaseValidationProps>;

  public constructor(props: GrayReleaseValidationProps = {}) {
    this.props = readProps(props);
  }

  /** Lints every manifest file of the synth and submits the report. */
  public async validate(context: ValidationContextLike): Promise<void> {
    const manifests: Manifest[] = [];
    const fileOf = new Map<string, string>();
    for (const file of context.manifests) {
      for (const m of parseManifests(fs.readFileSync(file, 'utf8'), file)) {
        manifests.push(m);
        const key = formatRef(refOf(m));
        if (!fileOf.has(key)) fileOf.set(key, file);
      }
    }
    const all = lintIndexed(indexManifests(manifests), { ignore: this.props.ignore });
    const counted = all.filter((f) => !f.suppressed);
    for (const f of counted) context.report.addViolation(violation(f, fileOf.get(formatRef(f.object)) ?? ''));
    const failing = counted.filter((f) => f.severity === 'error' || this.props.failOn === 'warning');
    context.report.submit(failing.length > 0 ? 'failure' : 'success', {
      errors: String(counted.filter((f) => f.severity === 'error').length),
      warnings: String(counted.filter((f) => f.severity === 'warning').length),
      suppressed: String(all.length - counted.length),
    });
  }
}

function violation(f: Finding, manifestPath: string): Violation {
  return {
    ruleName: `${f.code} (${f.severity}): ${LINT_RULES[f.code]?.summary ?? ''}`,
    recommendation: f.message,
    fix: `See the message. If the finding is intended, annotate the object: ${WellKnown.LINT_IGNORE_ANNOTATION}: "${f.code}: <why>" (ignoreLint() in the constructs).`,
    violatingResources: [{ resourceName: f.object.name, locations: [formatRef(f.object)], manifestPath }],
  };
}
