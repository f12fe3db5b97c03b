/**
 * The pods of one service must be alike in everything but what a version or lane may override
 * (image, env, replicas, resources): a lane or canary pod without the base's volume, probe, port
 * or identity fails where the base works, and only under the traffic that reaches it. This
 * compares Deployment manifests (plain objects) field by field.
 */
import { ModelProblem } from './problem';

/** The parts of a pod template that every workload of a service shares, as comparable text. */
export function recipeView(deployment: any): Record<string, string> {
  const pod = deployment?.spec?.template?.spec ?? {};
  const view: Record<string, string> = {
    serviceAccountName: JSON.stringify(pod.serviceAccountName ?? null),
    volumes: JSON.stringify([...(pod.volumes ?? [])].sort((a: any, b: any) => String(a?.name).localeCompare(String(b?.name)))),
    containers: JSON.stringify((pod.containers ?? []).map((c: any) => c?.name).sort()),
  };
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const field of ['volumeMounts', 'ports', 'readinessProbe', 'livenessProbe', 'startupProbe', 'securityContext']) {
      view[`container ${c?.name} ${field}`] = JSON.stringify(c?.[field] ?? null);
    }
  }
  return view;
}

/**
 * Problems for every Deployment whose shared pod fields differ from the first one's (the base
 * version), one per field.
 */
export function recipeDriftProblems(deployments: readonly any[]): ModelProblem[] {
  if (deployments.length < 2) return [];
  const [base, ...others] = deployments;
  const expected = recipeView(base);
  const out: ModelProblem[] = [];
  for (const d of others) {
    const actual = recipeView(d);
    const fields = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort().filter((f) => expected[f] !== actual[f]);
    for (const field of fields) {
      out.push({
        prop: 'onEachWorkload',
        what: `the Deployment ${d?.metadata?.name} differs from ${base?.metadata?.name} in ${field} (${short(actual[field])} instead of ${short(expected[field])}); every workload of a service shares the pod recipe, so a change made to one Deployment only would be missing from the others`,
        fix: 'make the change through the service props (volumes, readiness, ...) or service.onEachWorkload((deployment, info) => ...), which reaches every version and lane Deployment, present and future',
      });
    }
  }
  return out;
}

function short(json: string | undefined): string {
  if (json === undefined) return 'absent';
  return json.length > 160 ? `${json.slice(0, 157)}...` : json;
}
