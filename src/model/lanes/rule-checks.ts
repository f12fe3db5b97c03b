/**
 * The checks of coloring rules and user keys: each records a problem naming the prop and a fix,
 * so a rule that could not be generated safely, or could never match, never reaches Lua.
 */
import { Problems } from '../problem';
import { parseCidr } from '../security/address';

/** RFC 6265 cookie-name: an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6265 cookie-octet: printable ASCII without space, `"`, `,`, `;` and `\`. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;
/** A value matched in Lua only: printable ASCII (`%` is fine, Lua compares it as text). */
const MATCH_VALUE = /^[\x20-\x7e]+$/;
/** Longest value compared in Lua. */
export const MAX_VALUE_LENGTH = 1024;
/** Deepest claim path (`realm_access.roles` is 2). */
export const MAX_CLAIM_DEPTH = 5;
/** Most trusted proxies in front of a gateway that a rule may skip in X-Forwarded-For. */
export const MAX_TRUSTED_PROXY_HOPS = 10;

/** Whether `s` is printable ASCII of 1 to `max` characters. */
export function isPrintable(s: unknown, max: number = MAX_VALUE_LENGTH): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= max && MATCH_VALUE.test(s);
}

/** Checks a cookie name. */
export function checkCookieName(p: Problems, prop: string, name: string): boolean {
  if (typeof name === 'string' && name.length <= 256 && COOKIE_NAME.test(name)) return true;
  return p.add(prop, `${JSON.stringify(name)} is not a valid cookie name`,
    'use an RFC 6265 token: letters, digits and !#$%&\'*+-.^_`|~, no spaces, "=" or ";"');
}

/** Checks a cookie value compared exactly. */
export function checkCookieValue(p: Problems, prop: string, value: string | undefined): boolean {
  if (typeof value === 'string' && value.length <= MAX_VALUE_LENGTH && COOKIE_VALUE.test(value)) return true;
  return p.add(prop, `${JSON.stringify(value)} is not a valid cookie value`,
    `use 1 to ${MAX_VALUE_LENGTH} printable ASCII characters without spaces, '"', ",", ";" or "\\"`);
}

/** Checks a header value or prefix compared in Lua (Envoy strips surrounding spaces). */
export function checkHeaderMatch(p: Problems, prop: string, value: string | undefined, exact: boolean): boolean {
  const what = exact ? 'value' : 'prefix';
  if (!isPrintable(value)) {
    return p.add(prop, `${JSON.stringify(value)} is not a header ${what} that can match`,
      `use 1 to ${MAX_VALUE_LENGTH} printable ASCII characters (Envoy header values carry no control characters)`);
  }
  if (value.startsWith(' ') || (exact && value.endsWith(' '))) {
    return p.add(prop, `${JSON.stringify(value)} has a leading or trailing space, which Envoy strips from header values, so it would never match`,
      'remove the surrounding spaces');
  }
  return true;
}

/** Checks the issuer and claim path of a claim rule or key. */
export function checkClaim(p: Problems, prop: string, issuer: string | undefined, path: readonly string[] | undefined): void {
  if (!isPrintable(issuer) || issuer.includes(' ')) {
    p.add(`${prop}.issuer`, `${JSON.stringify(issuer)} is not a JWT issuer`,
      'give the issuer exactly as in the tokens\' "iss" claim (e.g. "https://idp.example.com"), or the JwtIssuer construct');
  }
  if (!Array.isArray(path) || path.length === 0 || path.length > MAX_CLAIM_DEPTH || !path.every((k) => isPrintable(k, 256))) {
    p.add(`${prop}.claim`, `${JSON.stringify(path)} is not a claim name or path`,
      `give a claim name such as "groups", or a path of 1 to ${MAX_CLAIM_DEPTH} names such as ["realm_access", "roles"]`);
  }
}

/** Checks the CIDR blocks of a source-address rule. */
export function checkCidrs(p: Problems, prop: string, cidrs: readonly string[] | undefined): void {
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    p.add(prop, 'no CIDR block given', 'give at least one block, e.g. ["203.0.113.0/24", "2001:db8::/32"]');
    return;
  }
  cidrs.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') {
      p.add(`${prop}[${i}]`, `${JSON.stringify(cidr)} ${parsed}`,
        'give an IPv4 or IPv6 block with its host bits zero, e.g. "203.0.113.0/24" or "2001:db8::/32" (a bare address is a block of one)');
    }
  });
}

/** Checks the number of trusted proxies in front of the gateway, if given. */
export function checkTrustedProxyHops(p: Problems, prop: string, hops: number | undefined): void {
  if (hops === undefined) return;
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_TRUSTED_PROXY_HOPS) {
    p.add(prop, `${hops} is not a number of trusted proxies from 1 to ${MAX_TRUSTED_PROXY_HOPS}`,
      'give how many proxies you run in front of the gateway (each appends to X-Forwarded-For), or leave it out to use the TCP peer address');
  }
}

/** Checks a share in percent: 0 to 100, at most two decimals (it becomes basis points). */
export function checkPercent(p: Problems, prop: string, percent: number): boolean {
  if (typeof percent === 'number' && Number.isFinite(percent) && percent >= 0 && percent <= 100
    && Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-9) return true;
  return p.add(prop, `${percent} is not a share from 0 to 100`, 'give a percentage from 0 to 100 with at most two decimals, e.g. 10 or 2.5');
}

/** Basis points (1/100 of a percent) of a checked share. */
export function basisPoints(percent: number): number {
  return Math.round(percent * 100);
}
