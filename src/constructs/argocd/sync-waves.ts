/** Argo CD sync waves on the API objects of a construct tree (see the wave table in the model). */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { rolloutTargets, SYNC_WAVE_ANNOTATION, syncWaveFor } from '../../model/argocd/sync-waves';
import { problemsAt } from '../core/state';

/**
 * Stamps the sync-wave annotation on every API object under `scope` (a chart, or any
 * construct), by kind; a Deployment a Kruise Rollout under `scope` targets goes to the last wave
 * with the Rollout, so a Deployment Kruise pauses never holds a sync. Call it once all objects
 * are added: objects added later get none. An object that already has a wave keeps it.
 * @returns the number of objects stamped
 */
export function applySyncWaves(scope: IConstruct): number {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const namespaceOf = (o: ApiObject) => o.metadata.namespace ?? Chart.of(o).namespace;
  const targets = rolloutTargets(objects.filter((o) => o.kind === 'Rollout').map((o) => {
    const json = o.toJson();
    return { ...json, metadata: { ...json.metadata, namespace: namespaceOf(o) } };
  }));
  let stamped = 0;
  for (const c of objects) {
    const existing = c.metadata.toJson().annotations?.[SYNC_WAVE_ANNOTATION];
    if (existing !== undefined && !/^-?[0-9]+$/.test(String(existing))) {
      problemsAt(c).fail(`metadata.annotations["${SYNC_WAVE_ANNOTATION}"]`, `${JSON.stringify(existing)} is not a sync wave (Argo CD would refuse to sync)`, 'give an integer such as "-1" or "2", or remove the annotation so applySyncWaves sets one by kind');
    }
    const wave = syncWaveFor({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.metadata.name, namespace: namespaceOf(c) } }, targets);
    if (wave === undefined || existing !== undefined) continue;
    c.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
    stamped++;
  }
  return stamped;
}
