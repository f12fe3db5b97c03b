import { claimPathOf, EntryTrust, IJwtIssuerRef, issuerOf } from './entry-trust';
import { requireLaneValue } from './lane-rules';
import {
  checkCidrs, checkClaim, checkCookieName, checkCookieValue, checkHeaderMatch, checkPercent, checkTrustedProxyHops, isPrintable,
} from './rule-checks';
import { UserKey } from './user-key';
import { requireHeaderName } from '../names';
import { Problems } from '../problem';

/** What a {@link ColoringRule} looks at in the request. */
export enum ColoringRuleKind {
  /** A request header equals a value exactly (case-sensitive). Client-chosen. */
  HEADER_EQUALS = 'HeaderEquals',
  /** A request header starts with a prefix (case-sensitive, plain text). Client-chosen. */
  HEADER_PREFIX = 'HeaderPrefix',
  /** A request header is present, whatever its value. Client-chosen. */
  HEADER_PRESENT = 'HeaderPresent',
  /** A cookie in the `cookie` header has exactly this name and value. Client-chosen. */
  COOKIE_EQUALS = 'CookieEquals',
  /** A claim of a JWT the gateway verified equals the value, or is a list containing it. */
  JWT_CLAIM = 'JwtClaim',
  /** The client address the gateway saw is in one of the CIDR blocks. */
  SOURCE_ADDRESS = 'SourceAddress',
  /** A stable hash of a user key falls in the rule's share (a sticky cohort). */
  COHORT = 'Cohort',
}

/** Options of {@link ColoringRule.sourceAddress}. */
export interface SourceAddressOptions {
  /**
   * How many proxies you run in front of the gateway (a cloud load balancer is 1), each of which
   * appends its peer's address to `X-Forwarded-For`. The client address is then read from that
   * header: the entry that many places left of the one the gateway itself appended. A request
   * with fewer entries, or whose last entry is not the gateway's own peer, matches no rule.
   *
   * @default - the TCP peer address (`downstreamDirectRemoteAddress`); X-Forwarded-For is never read
   */
  readonly trustedProxyHops?: number;
}

/** Options of {@link ColoringRule.cohort}. */
export interface CohortOptions {
  /**
   * Text hashed before the key, to draw a cohort independent of other cohorts on the same key.
   * Cohorts on the same key and salt in one coloring take disjoint ranges of the hash.
   * @default '' - no salt
   */
  readonly salt?: string;
}

/**
 * One ingress coloring rule: when the request matches, the lane header gets `laneValue`.
 *
 * Rules are tried in order and the first match wins. Each rule says who decides it
 * ({@link trust}): the client (`clientHeader*`, `clientCookie*`: anyone can send them), a
 * verified JWT claim ({@link jwtClaim}), the network ({@link sourceAddress}), or a stable hash
 * of a user key ({@link cohort}, as trusted as its key). Matching is plain text comparison in
 * Lua, never a Lua pattern built from a value.
 */
export class ColoringRule {
  /** Client-chosen: colors requests whose header `header` equals `value` exactly. */
  public static clientHeaderEquals(header: string, value: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.HEADER_EQUALS, laneValue, { key: header, value });
  }

  /** Client-chosen: colors requests whose header `header` starts with `prefix` (plain text). */
  public static clientHeaderPrefix(header: string, prefix: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.HEADER_PREFIX, laneValue, { key: header, value: prefix });
  }

  /** Client-chosen: colors requests that carry the header `header`, whatever its value. */
  public static clientHeaderPresent(header: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.HEADER_PRESENT, laneValue, { key: header });
  }

  /**
   * Client-chosen: colors requests with a cookie named `cookieName` (exact) whose value is
   * `value`. The `cookie` header is split on `;`, each part trimmed of spaces and tabs.
   */
  public static clientCookieEquals(cookieName: string, value: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.COOKIE_EQUALS, laneValue, { key: cookieName, value });
  }

  /** @deprecated client-chosen; use {@link clientHeaderEquals} (same rule, honest name). */
  public static headerEquals(header: string, value: string, laneValue: string): ColoringRule {
    return ColoringRule.clientHeaderEquals(header, value, laneValue);
  }

  /** @deprecated client-chosen; use {@link clientHeaderPrefix}. */
  public static headerPrefix(header: string, prefix: string, laneValue: string): ColoringRule {
    return ColoringRule.clientHeaderPrefix(header, prefix, laneValue);
  }

  /** @deprecated client-chosen; use {@link clientHeaderPresent}. */
  public static headerPresent(header: string, laneValue: string): ColoringRule {
    return ColoringRule.clientHeaderPresent(header, laneValue);
  }

  /** @deprecated client-chosen; use {@link clientCookieEquals}. */
  public static cookieEquals(cookieName: string, value: string, laneValue: string): ColoringRule {
    return ColoringRule.clientCookieEquals(cookieName, value, laneValue);
  }

  /**
   * Verified: colors requests carrying a JWT of `issuer` that the gateway verified, whose claim
   * equals `value` or is a list containing it (`groups` contains `beta`). The claim is read from
   * the JWT filter's dynamic metadata, never from a header. Needs a `JwtIssuer` for `issuer` on
   * the coloring's gateway; a request without a valid token matches no claim rule.
   *
   * @param claim a claim name, or a path into nested claims (`['realm_access', 'roles']`)
   */
  public static jwtClaim(issuer: IJwtIssuerRef | string, claim: string | readonly string[], value: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.JWT_CLAIM, laneValue, { issuer: issuerOf(issuer), claimPath: claimPathOf(claim), value });
  }

  /**
   * Network: colors requests whose client address (the TCP peer the gateway saw, or the
   * X-Forwarded-For entry behind `trustedProxyHops` proxies) is in one of `cidrs` (IPv4 or
   * IPv6; an IPv4 block also matches the IPv4-mapped IPv6 form).
   */
  public static sourceAddress(cidrs: readonly string[], laneValue: string, options: SourceAddressOptions = {}): ColoringRule {
    return new ColoringRule(ColoringRuleKind.SOURCE_ADDRESS, laneValue, { cidrs: [...(cidrs ?? [])], trustedProxyHops: options.trustedProxyHops });
  }

  /**
   * Sticky cohort: colors `percent` of the users, chosen by a stable hash (32-bit FNV-1a) of
   * `key`, so one user stays in one lane across requests and gateway pods. Requests without the
   * key are not in the cohort. As trusted as the key (a verified claim, or client-chosen).
   */
  public static cohort(key: UserKey, percent: number, laneValue: string, options: CohortOptions = {}): ColoringRule {
    return new ColoringRule(ColoringRuleKind.COHORT, laneValue, { userKey: key, percent, salt: options.salt ?? '' });
  }

  /** The request header name, or the cookie name (client-chosen kinds). */
  public readonly key?: string;
  /** The value or prefix compared with (header, cookie and claim kinds). */
  public readonly value?: string;
  /** The issuer whose verified tokens a claim rule reads. */
  public readonly issuer?: string;
  /** The claim path of a claim rule. */
  public readonly claimPath?: readonly string[];
  /** The CIDR blocks of a source-address rule. */
  public readonly cidrs?: readonly string[];
  /** Trusted proxies of a source-address rule (undefined: the TCP peer). */
  public readonly trustedProxyHops?: number;
  /** The user key of a cohort. */
  public readonly userKey?: UserKey;
  /** The share of a cohort, in percent. */
  public readonly percent?: number;
  /** The salt of a cohort. */
  public readonly salt?: string;

  private constructor(
    /** What the rule looks at. */
    public readonly kind: ColoringRuleKind,
    /** The lane header value set when the rule matches. */
    public readonly laneValue: string,
    detail: Partial<Pick<ColoringRule, 'key' | 'value' | 'issuer' | 'claimPath' | 'cidrs' | 'trustedProxyHops' | 'userKey' | 'percent' | 'salt'>>,
  ) {
    Object.assign(this, detail);
  }

  /** Who decides whether a request matches. */
  public get trust(): EntryTrust {
    switch (this.kind) {
      case ColoringRuleKind.JWT_CLAIM: return EntryTrust.VERIFIED_CLAIM;
      case ColoringRuleKind.SOURCE_ADDRESS: return EntryTrust.SOURCE_ADDRESS;
      case ColoringRuleKind.COHORT: return this.userKey?.trust ?? EntryTrust.CLIENT_CHOSEN;
      default: return EntryTrust.CLIENT_CHOSEN;
    }
  }

  /** The request header this rule reads (`cookie` for cookies), if it reads one. */
  public get readsHeader(): string | undefined {
    switch (this.kind) {
      case ColoringRuleKind.COOKIE_EQUALS: return 'cookie';
      case ColoringRuleKind.HEADER_EQUALS: case ColoringRuleKind.HEADER_PREFIX: case ColoringRuleKind.HEADER_PRESENT: return this.key;
      case ColoringRuleKind.COHORT: return this.userKey?.readsHeader;
      default: return undefined;
    }
  }

  /** The issuer whose verified tokens the rule needs, if any (claim rules, claim-keyed cohorts). */
  public get requiredIssuer(): string | undefined {
    return this.kind === ColoringRuleKind.COHORT ? this.userKey?.issuer : this.issuer;
  }

  /** A short human description, e.g. `header agent == "pc" -> canary`. */
  public toString(): string {
    const v = JSON.stringify(this.value);
    switch (this.kind) {
      case ColoringRuleKind.HEADER_EQUALS: return `header ${this.key} == ${v} -> ${this.laneValue}`;
      case ColoringRuleKind.HEADER_PREFIX: return `header ${this.key} starts with ${v} -> ${this.laneValue}`;
      case ColoringRuleKind.HEADER_PRESENT: return `header ${this.key} present -> ${this.laneValue}`;
      case ColoringRuleKind.COOKIE_EQUALS: return `cookie ${this.key} == ${v} -> ${this.laneValue}`;
      case ColoringRuleKind.JWT_CLAIM: return `verified claim ${this.claimPath?.join('.')} of ${this.issuer} has ${v} -> ${this.laneValue}`;
      case ColoringRuleKind.SOURCE_ADDRESS: return `source address in ${this.cidrs?.join(', ')}${this.trustedProxyHops ? ` (X-Forwarded-For behind ${this.trustedProxyHops} trusted proxies)` : ''} -> ${this.laneValue}`;
      case ColoringRuleKind.COHORT: return `${this.percent}% of ${this.userKey} (sticky hash) -> ${this.laneValue}`;
    }
  }

  /**
   * Records in `p` a problem naming `prop` (e.g. `rules[2]`) if the rule cannot be generated
   * safely or could never match.
   * @internal
   */
  public _validate(p: Problems, prop: string): void {
    // The value the script sets is a lane value: the same rule as TrafficLane's.
    requireLaneValue(p, this.laneValue, `${prop}.laneValue`);
    switch (this.kind) {
      case ColoringRuleKind.COOKIE_EQUALS:
        if (checkCookieName(p, `${prop}.cookieName`, this.key!)) checkCookieValue(p, `${prop}.value`, this.value);
        return;
      case ColoringRuleKind.HEADER_PRESENT:
        return void requireHeaderName(p, `${prop}.header`, this.key!);
      case ColoringRuleKind.HEADER_EQUALS:
      case ColoringRuleKind.HEADER_PREFIX: {
        const exact = this.kind === ColoringRuleKind.HEADER_EQUALS;
        if (requireHeaderName(p, `${prop}.header`, this.key!)) checkHeaderMatch(p, `${prop}.${exact ? 'value' : 'prefix'}`, this.value, exact);
        return;
      }
      case ColoringRuleKind.JWT_CLAIM:
        checkClaim(p, prop, this.issuer, this.claimPath);
        if (!isPrintable(this.value)) p.add(`${prop}.value`, `${JSON.stringify(this.value)} is not a claim value that can match`, 'give 1 to 1024 printable ASCII characters');
        return;
      case ColoringRuleKind.SOURCE_ADDRESS:
        checkCidrs(p, `${prop}.cidrs`, this.cidrs);
        return checkTrustedProxyHops(p, `${prop}.trustedProxyHops`, this.trustedProxyHops);
      case ColoringRuleKind.COHORT:
        if (!(this.userKey instanceof UserKey)) {
          p.add(`${prop}.key`, 'is not a UserKey', 'use UserKey.clientHeader(), UserKey.clientCookie() or UserKey.jwtClaim()');
        } else {
          this.userKey._validate(p, `${prop}.key`);
        }
        checkPercent(p, `${prop}.percent`, this.percent!);
        if (this.salt !== '' && !isPrintable(this.salt, 256)) p.add(`${prop}.salt`, `${JSON.stringify(this.salt)} is not a salt`, 'give 1 to 256 printable ASCII characters, or no salt');
    }
  }
}
