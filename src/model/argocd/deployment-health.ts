/**
 * An Argo CD health customisation for Deployments (`argocd-cm`), for teams that keep sync waves
 * after Rollout-targeted Deployments (or PostSync hooks): a Deployment that Kruise paused for a
 * release is reported Healthy, so the sync finishes; the Rollout's own health check (built into
 * Argo CD since v2.11.0, argo-cd #16238, `resource_customizations/rollouts.kruise.io/Rollout/health.lua`) keeps the
 * Application Progressing or Suspended while the release runs.
 *
 * Why it must say Healthy: gitops-engine moves a task to Succeeded only on Healthy (or no health
 * check); Progressing and Suspended keep it Running and the operation waits
 * (argo-cd v3.5.1 `gitops-engine/pkg/sync/sync_context.go:553-569`). A custom script for
 * `apps/Deployment` replaces the built-in Go check (`util/lua/lua.go` GetHealthScript; docs
 * `operator-manual/health.md`), so the script below reproduces that check
 * (`gitops-engine/pkg/health/health_deployment.go:28-70`, v3.5.1: the same verdicts and messages)
 * with one change. Returning nil would not fall back to the Go check: it gives an empty status.
 *
 * The script uses only Lua 5.1 (gopher-lua) and the functions Argo CD gives a custom script
 * without `useOpenLibs` (`tostring`, `ipairs`, `pairs`; no `string` library).
 *
 * It is instance-wide: every Deployment of every Application of that Argo CD. Check it with
 * `argocd admin settings resource-overrides health ./deployment.yaml --argocd-cm-path ./argocd-cm.yaml`.
 */

/** The `argocd-cm` key of a Deployment health customisation. */
export const ARGOCD_DEPLOYMENT_HEALTH_KEY = 'resource.customizations.health.apps_Deployment';

/**
 * The Lua health script: the built-in Deployment check, except that a Deployment paused by an
 * OpenKruise Rollout (annotation `rollouts.kruise.io/in-progressing`, set by Kruise's webhook
 * with `paused`, or `batchrelease.rollouts.kruise.io/control-info`, removed in the patch that
 * un-pauses) is Healthy. A Deployment a person paused stays Suspended.
 */
export const KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA = `-- cdk8s-gray-release: Argo CD's Deployment check (gitops-engine health_deployment.go, v3.5.1),
-- except that a Deployment paused by an OpenKruise Rollout during a release is Healthy, so sync
-- waves advance; the Rollout's own health check reports the release. Lua 5.1, base library only.
local hs = {}
local spec = obj.spec or {}
local status = obj.status or {}
local meta = obj.metadata or {}
local ann = meta.annotations or {}
if spec.paused == true then
  if ann["rollouts.kruise.io/in-progressing"] ~= nil or ann["batchrelease.rollouts.kruise.io/control-info"] ~= nil then
    hs.status = "Healthy"
    hs.message = "Paused by an OpenKruise Rollout while a release runs (the Rollout reports its progress); " ..
      tostring(status.availableReplicas or 0) .. " of " .. tostring(spec.replicas or 0) .. " replicas available"
    return hs
  end
  hs.status = "Suspended"
  hs.message = "Deployment is paused"
  return hs
end
if (meta.generation or 0) <= (status.observedGeneration or 0) then
  for _, c in ipairs(status.conditions or {}) do
    if c.type == "Progressing" then
      if c.reason == "ProgressDeadlineExceeded" then
        hs.status = "Degraded"
        hs.message = "Deployment \\"" .. tostring(meta.name) .. "\\" exceeded its progress deadline"
        return hs
      end
      break
    end
  end
  local updated = status.updatedReplicas or 0
  if spec.replicas ~= nil and updated < spec.replicas then
    hs.status = "Progressing"
    hs.message = "Waiting for rollout to finish: " .. tostring(updated) .. " out of " .. tostring(spec.replicas) .. " new replicas have been updated..."
    return hs
  end
  if (status.replicas or 0) > updated then
    hs.status = "Progressing"
    hs.message = "Waiting for rollout to finish: " .. tostring((status.replicas or 0) - updated) .. " old replicas are pending termination..."
    return hs
  end
  if (status.availableReplicas or 0) < updated then
    hs.status = "Progressing"
    hs.message = "Waiting for rollout to finish: " .. tostring(status.availableReplicas or 0) .. " of " .. tostring(updated) .. " updated replicas are available..."
    return hs
  end
else
  hs.status = "Progressing"
  hs.message = "Waiting for rollout to finish: observed deployment generation less than desired generation"
  return hs
end
hs.status = "Healthy"
return hs
`;

/** The `argocd-cm` data entry to merge into Argo CD's ConfigMap (namespace of the Argo CD install). */
export function argoCdHealthCustomization(): Readonly<Record<string, string>> {
  return { [ARGOCD_DEPLOYMENT_HEALTH_KEY]: KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA };
}
