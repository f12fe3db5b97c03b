/**
 * Names and values as Kubernetes, Istio and HTTP accept them: predicates, and checks that
 * record a {@link Problem} naming the prop and the fix. Object names follow the API server's
 * own rule for each kind ({@link OBJECT_NAME_RULES}).
 */
import { Problems } from './problem';

const DNS1035_LABEL_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Istio accepts `^[-_A-Za-z0-9]+$`; its docs (and HTTP/2) require lowercase, so we do too. */
const HEADER_NAME = /^[a-z0-9][-_a-z0-9]*$/;

/**
 * Keys cdk8s cannot serialize (`constructor`, `toString`, `__proto__`, ...: the properties of every
 * JavaScript object); a label key, selector key or header name spelled like one would make the
 * synth fail deep inside cdk8s, so the library refuses them up front.
 */
const JS_OBJECT_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Whether `key` is spelled like a property of every JavaScript object (see {@link JS_OBJECT_KEYS}). */
export function isJsObjectKey(key: string): boolean {
  return JS_OBJECT_KEYS.has(key);
}

/** A DNS-1123 label (Service, Deployment, subset and most object names): `[a-z0-9-]`, ≤ 63. */
export function isDns1123Label(s: string): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL_RE.test(s);
}

/** A DNS-1123 subdomain (hosts, some object names): labels joined by dots, ≤ 253. */
export function isDns1123Subdomain(s: string): boolean {
  return typeof s === 'string' && s.length <= 253 && DNS1123_SUBDOMAIN_RE.test(s);
}

/** A Kubernetes label key: optional DNS-1123 subdomain prefix and `/`, then a name ≤ 63. */
export function isLabelKey(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0 || isJsObjectKey(s)) return false;
  const parts = s.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !isDns1123Subdomain(parts[0])) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** A Kubernetes label value: ≤ 63 characters of `[A-Za-z0-9-_.]`, alphanumeric at both ends. */
export function isLabelValue(s: string): boolean {
  return typeof s === 'string' && s.length <= 63 && LABEL_VALUE.test(s);
}

/** A request header name we accept in a match: a lowercase HTTP token without `:`. */
export function isHeaderName(s: string): boolean {
  return typeof s === 'string' && s.length <= 256 && HEADER_NAME.test(s) && !isJsObjectKey(s);
}

/**
 * A header value we accept for an exact match or for setting: printable ASCII without
 * control characters, and no `%` (Istio would read `%...%` as a command operator).
 */
export function isHeaderValue(s: string): boolean {
  return typeof s === 'string' && s.length > 0 && s.length <= 1024 && /^[\x20-\x7e]+$/.test(s) && !s.includes('%');
}

const IMAGE_DOMAIN = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?';
const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(`^(?:${IMAGE_DOMAIN}/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/** A container image reference (`[registry[:port]/]path[:tag][@sha256:digest]`, the distribution grammar). */
export function isImageReference(s: string): boolean {
  return typeof s === 'string' && s.length <= 512 && IMAGE_REFERENCE.test(s);
}

/** A DNS-1035 label (Service names): like a DNS-1123 label, but starting with a letter. */
export function isDns1035Label(s: string): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS1035_LABEL_RE.test(s);
}

/** The name rules of the API server, by how strict they are. */
export enum NameRule {
  /** `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63: Services (apimachinery `NameIsDNS1035Label`). */
  DNS1035_LABEL = 'DNS-1035 label',
  /** `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63: Namespaces. */
  DNS1123_LABEL = 'DNS-1123 label',
  /** DNS-1123 labels joined by dots, at most 253: most other kinds and every custom resource. */
  DNS1123_SUBDOMAIN = 'DNS-1123 subdomain',
}

/**
 * The rule the API server applies to `metadata.name`, per kind (kubernetes
 * pkg/apis/core/validation: `ValidateServiceName` = DNS-1035 label, `ValidateNamespaceName` =
 * DNS-1123 label; Deployments, ServiceAccounts, ConfigMaps, Secrets, HPAs, PDBs and custom
 * resources: DNS-1123 subdomain). Kinds not listed get the subdomain rule.
 */
export const OBJECT_NAME_RULES: Readonly<Record<string, NameRule>> = {
  Service: NameRule.DNS1035_LABEL,
  Namespace: NameRule.DNS1123_LABEL,
};

/** The rule for `metadata.name` of a kind. */
export function nameRuleOf(kind: string): NameRule {
  return OBJECT_NAME_RULES[kind] ?? NameRule.DNS1123_SUBDOMAIN;
}

/** Whether `name` satisfies `rule`. */
export function satisfiesNameRule(rule: NameRule, name: string): boolean {
  switch (rule) {
    case NameRule.DNS1035_LABEL: return isDns1035Label(name);
    case NameRule.DNS1123_LABEL: return isDns1123Label(name);
    case NameRule.DNS1123_SUBDOMAIN: return isDns1123Subdomain(name);
  }
}

const NAME_RULE_FIX: Readonly<Record<NameRule, string>> = {
  [NameRule.DNS1035_LABEL]: 'use at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
  [NameRule.DNS1123_LABEL]: 'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
  [NameRule.DNS1123_SUBDOMAIN]: 'use at most 253 lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit',
};

/** Checks `metadata.name` of an object of `kind` as the API server would. */
export function requireObjectName(p: Problems, prop: string, kind: string, name: string): boolean {
  const rule = nameRuleOf(kind);
  if (satisfiesNameRule(rule, name)) return true;
  return p.add(prop, `${JSON.stringify(name)} is not a valid ${kind} name (a ${rule})`, NAME_RULE_FIX[rule]);
}

/** Checks a DNS-1123 label (subset, port and namespace names). */
export function requireDns1123Label(p: Problems, prop: string, value: string): boolean {
  if (isDns1123Label(value)) return true;
  return p.add(prop, `${JSON.stringify(value)} is not a DNS-1123 label`, NAME_RULE_FIX[NameRule.DNS1123_LABEL]);
}

/** Checks a DNS-1035 label (a name that becomes a Service name). */
export function requireDns1035Label(p: Problems, prop: string, value: string): boolean {
  if (isDns1035Label(value)) return true;
  return p.add(prop, `${JSON.stringify(value)} is not a DNS-1035 label (it names a Service)`, NAME_RULE_FIX[NameRule.DNS1035_LABEL]);
}

/** Checks a label key and value pair. */
export function requireLabel(p: Problems, prop: string, key: string, value: string): boolean {
  if (isJsObjectKey(key)) {
    return p.add(prop, `the label key "${key}" is spelled like a property of every JavaScript object, which cdk8s cannot serialize`, 'use another label key');
  }
  if (!isLabelKey(key)) {
    return p.add(prop, `${JSON.stringify(key)} is not a valid label key`, 'use an optional DNS subdomain prefix and "/", then up to 63 of [A-Za-z0-9-_.]');
  }
  if (!isLabelValue(value)) {
    return p.add(prop, `label ${key}=${JSON.stringify(value)} has an invalid value`, 'use up to 63 of [A-Za-z0-9-_.], starting and ending with a letter or digit');
  }
  return true;
}

/** Checks a lowercase request header name. */
export function requireHeaderName(p: Problems, prop: string, value: string): boolean {
  if (isJsObjectKey(value)) {
    return p.add(prop, `the header name "${value}" is spelled like a property of every JavaScript object, which cdk8s cannot serialize as a match key`, 'use another header name');
  }
  if (!isHeaderName(value)) {
    return p.add(prop, `${JSON.stringify(value)} is not a valid request header name`, 'use a lowercase token of [a-z0-9-_] (Istio matches header names in lowercase)');
  }
  return true;
}

/** Checks a header value that is safe to match on and to set. */
export function requireHeaderValue(p: Problems, prop: string, value: string): boolean {
  if (isHeaderValue(value)) return true;
  return p.add(prop, `${JSON.stringify(value)} is not a safe header value`, 'use 1 to 1024 printable ASCII characters without "%"');
}

/** Checks an integer in [min, max]. */
export function requireInt(p: Problems, prop: string, value: number, min: number, max: number): boolean {
  if (Number.isInteger(value) && value >= min && value <= max) return true;
  return p.add(prop, `${value} is not an integer from ${min} to ${max}`, `give an integer from ${min} to ${max}`);
}

/** A container environment variable name Kubernetes accepts: `[-._a-zA-Z][-._a-zA-Z0-9]*`. */
export function isEnvName(s: string): boolean {
  return typeof s === 'string' && /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(s);
}
