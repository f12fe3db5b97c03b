import { IConstruct } from 'constructs';

/**
 * The error every construct throws for bad input: it names where (construct path), what
 * (the prop), what was wrong, and how to fix it. Nothing is synthesized after one is thrown.
 */
export class GrayReleaseError extends Error {
  public constructor(
    public readonly path: string,
    public readonly prop: string,
    public readonly what: string,
    public readonly fix: string,
  ) {
    super(`[${path}] ${prop}: ${what}. Fix: ${fix}`);
    this.name = 'GrayReleaseError';
  }
}

/** Throws a {@link GrayReleaseError} for `scope`. */
export function fail(scope: IConstruct, prop: string, what: string, fix: string): never {
  throw new GrayReleaseError(scope.node.path || '<root>', prop, what, fix);
}

/** Formats a message for `node.addValidation` (cdk8s prefixes the construct path itself). */
export function problem(prop: string, what: string, fix: string): string {
  return `${prop}: ${what}. Fix: ${fix}`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
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
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}

/** A DNS-1123 subdomain (hosts, some object names): labels joined by dots, ≤ 253. */
export function isDns1123Subdomain(s: string): boolean {
  return typeof s === 'string' && s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
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

/** Asserts a DNS-1123 label, or throws naming the prop and the fix. */
export function requireDns1123Label(scope: IConstruct, prop: string, value: string): void {
  if (!isDns1123Label(value)) {
    fail(scope, prop, `${JSON.stringify(value)} is not a DNS-1123 label`, 'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit');
  }
}

/** Asserts a valid label key and value pair. */
export function requireLabel(scope: IConstruct, prop: string, key: string, value: string): void {
  if (isJsObjectKey(key)) {
    fail(scope, prop, `the label key "${key}" is spelled like a property of every JavaScript object, which cdk8s cannot serialize`, 'use another label key');
  }
  if (!isLabelKey(key)) {
    fail(scope, prop, `${JSON.stringify(key)} is not a valid label key`, 'use an optional DNS subdomain prefix and "/", then up to 63 of [A-Za-z0-9-_.]');
  }
  if (!isLabelValue(value)) {
    fail(scope, prop, `label ${key}=${JSON.stringify(value)} has an invalid value`, 'use up to 63 of [A-Za-z0-9-_.], starting and ending with a letter or digit');
  }
}

/** Asserts a lowercase header name. */
export function requireHeaderName(scope: IConstruct, prop: string, value: string): void {
  if (isJsObjectKey(value)) {
    fail(scope, prop, `the header name "${value}" is spelled like a property of every JavaScript object, which cdk8s cannot serialize as a match key`, 'use another header name');
  }
  if (!isHeaderName(value)) {
    fail(scope, prop, `${JSON.stringify(value)} is not a valid request header name`, 'use a lowercase token of [a-z0-9-_] (Istio matches header names in lowercase)');
  }
}

/** Asserts a header value that is safe to match on and to set. */
export function requireHeaderValue(scope: IConstruct, prop: string, value: string): void {
  if (!isHeaderValue(value)) {
    fail(scope, prop, `${JSON.stringify(value)} is not a safe header value`, 'use 1 to 1024 printable ASCII characters without "%"');
  }
}

/** Asserts an integer in [min, max]. */
export function requireInt(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, prop, `${value} is not an integer from ${min} to ${max}`, `give an integer from ${min} to ${max}`);
  }
}

/** A container environment variable name Kubernetes accepts: `[-._a-zA-Z][-._a-zA-Z0-9]*`. */
export function isEnvName(s: string): boolean {
  return typeof s === 'string' && /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(s);
}
