import { Problems } from '../problem';
import { requireLaneValue } from './lane-rules';
import { requireHeaderName } from '../names';

/** What a {@link ColoringRule} looks at in the request. */
export enum ColoringRuleKind {
  /** A request header equals a value exactly (case-sensitive). */
  HEADER_EQUALS = 'HeaderEquals',
  /** A request header starts with a prefix (case-sensitive, plain text, not a pattern). */
  HEADER_PREFIX = 'HeaderPrefix',
  /** A request header is present, whatever its value (an empty value counts). */
  HEADER_PRESENT = 'HeaderPresent',
  /** A cookie in the `cookie` header has exactly this name and value. */
  COOKIE_EQUALS = 'CookieEquals',
}

/** RFC 6265 cookie-name: an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6265 cookie-octet: printable ASCII without space, `"`, `,`, `;` and `\`. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;
/** A value matched in Lua only: printable ASCII (`%` is fine, Lua compares it as text). */
const MATCH_VALUE = /^[\x20-\x7e]+$/;
const MAX_VALUE_LENGTH = 1024;

/**
 * One ingress coloring rule: when the request matches, the lane header gets `laneValue`.
 *
 * Rules are tried in order and the first match wins. Matching is plain text comparison in
 * Lua (`==` and `string.sub`), never a Lua pattern, so no character in a value is special.
 *
 * Envoy joins repeated request headers with `,` before the script sees them, and strips
 * leading and trailing spaces from header values; values are compared after that.
 */
export class ColoringRule {
  /**
   * Colors requests whose header `header` equals `value` exactly.
   * @example ColoringRule.headerEquals('agent', 'pc', 'canary') // the seed's rule
   */
  public static headerEquals(header: string, value: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.HEADER_EQUALS, header, laneValue, value);
  }

  /** Colors requests whose header `header` starts with `prefix` (plain text). */
  public static headerPrefix(header: string, prefix: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.HEADER_PREFIX, header, laneValue, prefix);
  }

  /** Colors requests that carry the header `header`, whatever its value. */
  public static headerPresent(header: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.HEADER_PRESENT, header, laneValue);
  }

  /**
   * Colors requests with a cookie named `cookieName` (exact, case-sensitive) whose value is
   * `value`. The `cookie` header is split on `;`, each part trimmed of spaces and tabs.
   * A quoted cookie value is compared with its quotes.
   */
  public static cookieEquals(cookieName: string, value: string, laneValue: string): ColoringRule {
    return new ColoringRule(ColoringRuleKind.COOKIE_EQUALS, cookieName, laneValue, value);
  }

  private constructor(
    /** What the rule looks at. */
    public readonly kind: ColoringRuleKind,
    /** The request header name, or the cookie name for {@link ColoringRuleKind.COOKIE_EQUALS}. */
    public readonly key: string,
    /** The lane header value set when the rule matches. */
    public readonly laneValue: string,
    /** The value or prefix compared with; undefined for {@link ColoringRuleKind.HEADER_PRESENT}. */
    public readonly value?: string,
  ) {}

  /** The request header this rule reads (`cookie` for cookie rules). */
  public get readsHeader(): string {
    return this.kind === ColoringRuleKind.COOKIE_EQUALS ? 'cookie' : this.key;
  }

  /** A short human description, e.g. `header agent == "pc" -> canary`. */
  public toString(): string {
    switch (this.kind) {
      case ColoringRuleKind.HEADER_EQUALS: return `header ${this.key} == ${JSON.stringify(this.value)} -> ${this.laneValue}`;
      case ColoringRuleKind.HEADER_PREFIX: return `header ${this.key} starts with ${JSON.stringify(this.value)} -> ${this.laneValue}`;
      case ColoringRuleKind.HEADER_PRESENT: return `header ${this.key} present -> ${this.laneValue}`;
      case ColoringRuleKind.COOKIE_EQUALS: return `cookie ${this.key} == ${JSON.stringify(this.value)} -> ${this.laneValue}`;
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
    if (this.kind === ColoringRuleKind.COOKIE_EQUALS) {
      if (typeof this.key !== 'string' || this.key.length > 256 || !COOKIE_NAME.test(this.key)) {
        return void p.add(`${prop}.cookieName`, `${JSON.stringify(this.key)} is not a valid cookie name`,
          'use an RFC 6265 token: letters, digits and !#$%&\'*+-.^_`|~, no spaces, "=" or ";"');
      }
      if (typeof this.value !== 'string' || this.value.length > MAX_VALUE_LENGTH || !COOKIE_VALUE.test(this.value)) {
        return void p.add(`${prop}.value`, `${JSON.stringify(this.value)} is not a valid cookie value`,
          `use 1 to ${MAX_VALUE_LENGTH} printable ASCII characters without spaces, '"', ",", ";" or "\\"`);
      }
      return;
    }
    requireHeaderName(p, `${prop}.header`, this.key);
    if (this.kind === ColoringRuleKind.HEADER_PRESENT) return;
    const what = this.kind === ColoringRuleKind.HEADER_PREFIX ? 'prefix' : 'value';
    if (typeof this.value !== 'string' || this.value.length > MAX_VALUE_LENGTH || !MATCH_VALUE.test(this.value)) {
      return void p.add(`${prop}.${what}`, `${JSON.stringify(this.value)} is not a header ${what} that can match`,
        `use 1 to ${MAX_VALUE_LENGTH} printable ASCII characters (Envoy header values carry no control characters)`);
    }
    const trailing = this.kind === ColoringRuleKind.HEADER_EQUALS && this.value.endsWith(' ');
    if (this.value.startsWith(' ') || trailing) {
      return void p.add(`${prop}.${what}`, `${JSON.stringify(this.value)} has a leading or trailing space, which Envoy strips from header values, so it would never match`,
        'remove the surrounding spaces');
    }
  }
}
