import { claimPathOf, EntryTrust, IJwtIssuerRef, issuerOf } from './entry-trust';
import { checkClaim, checkCookieName } from './rule-checks';
import { requireHeaderName } from '../names';
import { Problems } from '../problem';

/** Where a sticky cohort reads the user key it hashes. */
export enum UserKeyKind {
  /** A request header. */
  HEADER = 'Header',
  /** A cookie of the `cookie` header. */
  COOKIE = 'Cookie',
  /** A string claim of a JWT the gateway verified. */
  JWT_CLAIM = 'JwtClaim',
}

/**
 * The user key a sticky cohort hashes, so that one user always lands in the same lane: the
 * same key gives the same hash on every request and on every gateway pod.
 *
 * A key from a header or cookie is client-chosen: a client may try values until one hashes into
 * the cohort. Use a verified claim (`sub`) when entering the cohort must not be up to the client.
 */
export class UserKey {
  /** A request header, e.g. `x-user-id` (client-chosen). */
  public static clientHeader(header: string): UserKey {
    return new UserKey(UserKeyKind.HEADER, header);
  }

  /** A cookie, e.g. a session cookie (client-chosen). */
  public static clientCookie(cookieName: string): UserKey {
    return new UserKey(UserKeyKind.COOKIE, cookieName);
  }

  /** A string claim of a verified JWT of `issuer`, e.g. `sub`. */
  public static jwtClaim(issuer: IJwtIssuerRef | string, claim: string | readonly string[]): UserKey {
    const path = claimPathOf(claim);
    return new UserKey(UserKeyKind.JWT_CLAIM, path.join('.'), issuerOf(issuer), path);
  }

  private constructor(
    /** Where the key is read. */
    public readonly kind: UserKeyKind,
    /** The header name, cookie name, or the claim path joined with `.`. */
    public readonly name: string,
    /** The issuer, for a claim key. */
    public readonly issuer?: string,
    /** The claim path, for a claim key. */
    public readonly claimPath?: readonly string[],
  ) {}

  /** Who chooses the key's value. */
  public get trust(): EntryTrust {
    return this.kind === UserKeyKind.JWT_CLAIM ? EntryTrust.VERIFIED_CLAIM : EntryTrust.CLIENT_CHOSEN;
  }

  /** The request header the key is read from (`cookie` for a cookie), if any. */
  public get readsHeader(): string | undefined {
    if (this.kind === UserKeyKind.HEADER) return this.name;
    return this.kind === UserKeyKind.COOKIE ? 'cookie' : undefined;
  }

  /** A stable identity: cohorts on the same key and salt share one hash range. */
  public get id(): string {
    return `${this.kind}|${this.issuer ?? ''}|${this.name}`;
  }

  /** e.g. `cookie uid`, `claim sub of https://idp.example.com`. */
  public toString(): string {
    switch (this.kind) {
      case UserKeyKind.HEADER: return `header ${this.name}`;
      case UserKeyKind.COOKIE: return `cookie ${this.name}`;
      case UserKeyKind.JWT_CLAIM: return `claim ${this.name} of ${this.issuer}`;
    }
  }

  /**
   * Records a problem naming `prop` if the key cannot be read safely.
   * @internal
   */
  public _validate(p: Problems, prop: string): void {
    if (!(this instanceof UserKey)) {
      p.add(prop, 'is not a UserKey', 'use UserKey.clientHeader(), UserKey.clientCookie() or UserKey.jwtClaim()');
      return;
    }
    switch (this.kind) {
      case UserKeyKind.HEADER: return void requireHeaderName(p, `${prop}.header`, this.name);
      case UserKeyKind.COOKIE: return void checkCookieName(p, `${prop}.cookieName`, this.name);
      case UserKeyKind.JWT_CLAIM: return checkClaim(p, prop, this.issuer, this.claimPath);
    }
  }
}
