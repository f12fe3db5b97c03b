/**
 * Checks of a dynamic-subset intent that need no workload labels; they run in the constructor
 * and throw {@link GrayReleaseError}. The checks that need the workloads run at synth
 * ({@link workloadProblems}), because labels may still change after construction.
 */
import { ModelProblem, Problems } from '../problem';
import type { IWorkloadLabels } from '../workload';
import { DynamicSubsetIntent, FallbackPolicy, POD_IP_KEY, policiesInUse } from './fallback-policy';
import { existingGroups } from './istio-expansion';
import { MeshTarget } from '../mesh-target';
import { isHeaderValue, isLabelKey, isLabelValue, requireHeaderName, requireLabel } from '../names';

const POLICIES = Object.values(FallbackPolicy) as string[];

function requirePolicy(p: Problems, prop: string, policy: FallbackPolicy | undefined): void {
  if (policy !== undefined && !POLICIES.includes(policy)) {
    p.fail(prop, `${JSON.stringify(policy)} is not a fallback policy`, `use one of FallbackPolicy.${POLICIES.join(', FallbackPolicy.')}`);
  }
}

/** Throws on the first problem of the selectors, mappings, fallbacks and default subset. */
export function checkIntent(p: Problems, target: MeshTarget, intent: DynamicSubsetIntent): void {
  if (intent.selectors.length === 0) {
    p.fail('subsetSelectors', 'no selector given', 'give at least one selector, e.g. { keys: ["version"] }');
  }
  requirePolicy(p, 'fallbackPolicy', intent.fallbackPolicy);
  const selectorKeys = new Set<string>();
  const keySets = new Set<string>();
  intent.selectors.forEach((s, i) => {
    const prop = `subsetSelectors[${i}]`;
    requirePolicy(p, `${prop}.fallbackPolicy`, s.fallbackPolicy);
    if (!s.keys || s.keys.length === 0) p.fail(`${prop}.keys`, 'the selector has no keys', 'list the pod label keys to group by');
    for (const k of s.keys) {
      if (k.startsWith('%') && k !== POD_IP_KEY) {
        p.fail(`${prop}.keys`, `${JSON.stringify(k)} is not a known built-in key`, `the only built-in key is ${POD_IP_KEY}; otherwise use a pod label key`);
      }
      if (k !== POD_IP_KEY && !isLabelKey(k)) {
        p.fail(`${prop}.keys`, `${JSON.stringify(k)} is not a valid label key`, 'use a Kubernetes label key (optional DNS prefix and "/", then up to 63 of [A-Za-z0-9-_.])');
      }
      if (s.keys.indexOf(k) !== s.keys.lastIndexOf(k)) {
        p.fail(`${prop}.keys`, `the key ${JSON.stringify(k)} is listed twice`, 'list each key once');
      }
      selectorKeys.add(k);
    }
    const set = JSON.stringify([...s.keys].sort());
    if (keySets.has(set)) p.fail(prop, `another selector already has the keys ${set}`, 'remove the duplicate selector');
    keySets.add(set);
    if (s.keys.includes(POD_IP_KEY) && target === MeshTarget.ISTIO) {
      p.fail(`${prop}.keys`,
        `the built-in key ${POD_IP_KEY} groups endpoints by pod IP, which is only known at run time, so open-source Istio cannot route by it and it cannot be compiled to static subsets`,
        `use target: MeshTarget.ASM for ${POD_IP_KEY} selectors, or group by a pod label`);
    }
  });

  const headers = new Set<string>();
  const mapped = new Map<string, string>();
  intent.mappings.forEach((m, i) => {
    const prop = `headerMappings[${i}]`;
    requireHeaderName(p, `${prop}.header`, m.header);
    if (headers.has(m.header)) p.fail(`${prop}.header`, `the header ${JSON.stringify(m.header)} is mapped twice`, 'map each header once');
    headers.add(m.header);
    if (mapped.has(m.key)) {
      p.fail(`${prop}.key`, `the key ${JSON.stringify(m.key)} is already mapped from the header ${JSON.stringify(mapped.get(m.key))}`, 'map each key from one header');
    }
    mapped.set(m.key, m.header);
    if (!selectorKeys.has(m.key)) {
      p.fail(`${prop}.key`, `no subset selector uses the key ${JSON.stringify(m.key)}`, `add it to a selector's keys, or map the header to one of: ${[...selectorKeys].join(', ')}`);
    }
    if (m.defaultValue !== undefined) {
      const ok = m.key === POD_IP_KEY ? isHeaderValue(m.defaultValue) : isLabelValue(m.defaultValue) && m.defaultValue !== '';
      if (!ok) {
        p.fail(`${prop}.defaultValue`, `${JSON.stringify(m.defaultValue)} can never equal a value of the key ${JSON.stringify(m.key)}`, 'use a valid, non-empty label value');
      }
    }
  });
  intent.selectors.forEach((s, i) => {
    const missing = s.keys.filter((k) => !mapped.has(k));
    if (missing.length > 0) {
      p.fail(`subsetSelectors[${i}].keys`, `no header is mapped to ${missing.map((k) => JSON.stringify(k)).join(', ')}, so the selector can never be chosen`,
        `add headerMappings entries such as { header: "x-${missing[0].replace(/[^a-z0-9-]/gi, '').toLowerCase() || 'key'}", key: ${JSON.stringify(missing[0])} }`);
    }
  });
  checkShadowing(p, intent);

  if (policiesInUse(intent).includes(FallbackPolicy.DEFAULT_SUBSET) && !intent.defaultSubset) {
    p.fail('defaultSubset', 'the fallback policy DEFAULT_SUBSET is used but no defaultSubset is given', 'give defaultSubset (label key → value), or choose another fallback policy');
  }
  if (intent.defaultSubset) {
    if (Object.keys(intent.defaultSubset).length === 0) p.fail('defaultSubset', 'the default subset is empty', 'give at least one label, e.g. { version: "v1" }');
    for (const [k, v] of Object.entries(intent.defaultSubset)) requireLabel(p, 'defaultSubset', k, v);
  }
}

/**
 * Selectors are tried in order and the first whose keys are all present wins, so a selector is
 * dead when an earlier one applies whenever it does (every earlier key is one of its keys or
 * always has a value through its `defaultValue`).
 */
function checkShadowing(p: Problems, intent: DynamicSubsetIntent): void {
  const defaulted = new Set(intent.mappings.filter((m) => m.defaultValue !== undefined).map((m) => m.key));
  intent.selectors.forEach((later, i) => {
    intent.selectors.slice(0, i).forEach((earlier, j) => {
      if (earlier.keys.every((k) => later.keys.includes(k) || defaulted.has(k))) {
        p.fail(`subsetSelectors[${i}]`,
          `the selector can never be chosen: subsetSelectors[${j}] (${earlier.keys.join(', ')}) comes first and applies to every request this one applies to`,
          'put the selector with more keys first, or remove a defaultValue of the earlier selector\'s keys');
      }
    });
  });
}

/** Problems that need the workloads' labels (run at synth through `node.addValidation`). */
export function workloadProblems(intent: DynamicSubsetIntent, workloads: readonly IWorkloadLabels[], service: string): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const names = workloads.map((w) => w.name).join(', ');
  intent.selectors.forEach((s, i) => {
    const labelKeys = s.keys.filter((k) => k !== POD_IP_KEY);
    for (const k of labelKeys) {
      if (!workloads.some((w) => w.podLabels[k] !== undefined)) {
        problems.push({
          prop: `subsetSelectors[${i}].keys`,
          what: `no workload of the service ${service} carries the label ${JSON.stringify(k)} (workloads: ${names})`,
          fix: `add the label ${JSON.stringify(k)} to the pod template of the workloads to group, or remove the key`,
        });
      }
    }
    const eachCarried = labelKeys.every((k) => workloads.some((w) => w.podLabels[k] !== undefined));
    if (labelKeys.length > 1 && eachCarried && existingGroups(labelKeys, workloads).length === 0) {
      problems.push({
        prop: `subsetSelectors[${i}].keys`,
        what: `no workload of the service ${service} carries all of the labels ${labelKeys.join(', ')}, so the selector has no group`,
        fix: 'label the pods with every key of the selector, or split the selector',
      });
    }
  });
  if (intent.defaultSubset) {
    const want = Object.entries(intent.defaultSubset);
    if (!workloads.some((w) => want.every(([k, v]) => w.podLabels[k] === v))) {
      problems.push({
        prop: 'defaultSubset',
        what: `${JSON.stringify(intent.defaultSubset)} matches no workload of the service ${service} (workloads: ${names}), so falling back to it would fail with 503`,
        fix: 'name the labels of an existing workload, or add the workload to the chart',
      });
    }
  }
  return problems;
}
