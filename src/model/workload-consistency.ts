/**
 * The pods of one service must be alike in everything but what a version or lane may override
 * (image, env, replicas, resources): a lane or canary pod without the base's volume, mount, port
 * or identity fails where the base works, and only under the traffic that reaches it. This
 * compares per-workload views of those fields (field name → comparable text).
 */
import { ModelProblem } from './problem';

/** One workload's shared pod fields, as comparable text by field name. */
export interface RecipeView {
  /** The Deployment name. */
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Problems for every workload whose shared pod fields differ from the first one's (the base
 * version), one per field.
 */
export function recipeDriftProblems(views: readonly RecipeView[]): ModelProblem[] {
  if (views.length < 2) return [];
  const [base, ...others] = views;
  const out: ModelProblem[] = [];
  for (const w of others) {
    const fields = [...new Set([...Object.keys(base.fields), ...Object.keys(w.fields)])].sort().filter((f) => base.fields[f] !== w.fields[f]);
    for (const field of fields) {
      out.push({
        prop: 'onEachWorkload',
        what: `the Deployment ${w.name} differs from ${base.name} in ${field} (${short(w.fields[field])} instead of ${short(base.fields[field])}); every workload of a service shares the pod recipe, so a change made to one Deployment only would be missing from the others`,
        fix: 'make the change through the service props (volumes, writablePaths, readiness, ...) or service.onEachWorkload((deployment, info) => ...), which reaches every version and lane Deployment, present and future',
      });
    }
  }
  return out;
}

function short(text: string | undefined): string {
  if (text === undefined) return 'absent';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
