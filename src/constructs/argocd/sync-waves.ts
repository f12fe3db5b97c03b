/** Argo CD sync waves on the API objects of a construct tree (see the wave table in the model). */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SYNC_WAVE_ANNOTATION, syncWaveOf } from '../../model/argocd/sync-waves';
import { problemsAt } from '../core/state';

/**
 * Stamps the sync-wave annotation on every API object under `scope` (a chart, or any
 * construct), by kind. Call it once all objects are added: objects added later get none. An
 * object that already has a wave keeps it.
 * @returns the number of objects stamped
 */
export function applySyncWaves(scope: IConstruct): number {
  let stamped = 0;
  for (const c of scope.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const existing = c.metadata.toJson().annotations?.[SYNC_WAVE_ANNOTATION];
    if (existing !== undefined && !/^-?[0-9]+$/.test(String(existing))) {
      problemsAt(c).fail(`metadata.annotations["${SYNC_WAVE_ANNOTATION}"]`, `${JSON.stringify(existing)} is not a sync wave (Argo CD would refuse to sync)`, 'give an integer such as "-1" or "2", or remove the annotation so applySyncWaves sets one by kind');
    }
    const wave = syncWaveOf(c.apiVersion, c.kind);
    if (wave === undefined || existing !== undefined) continue;
    c.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
    stamped++;
  }
  return stamped;
}
