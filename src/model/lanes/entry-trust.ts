/**
 * Who decides that a request enters a lane, and the references a rule uses to name a JWT
 * issuer. Shared by the coloring rules, the user keys of sticky cohorts and the lint.
 */

/** What a coloring rule's decision rests on. */
export enum EntryTrust {
  /**
   * The client chooses: a header or cookie it sends, with any value it likes. Good for a
   * developer's own lane or an opt-in beta; never a boundary, since anyone can send it.
   */
  CLIENT_CHOSEN = 'client-chosen',
  /**
   * A claim of a JWT the gateway verified (signature against the issuer's keys, issuer,
   * expiry): the client cannot choose it without a token the issuer signed.
   */
  VERIFIED_CLAIM = 'verified-claim',
  /**
   * The network address the gateway saw: the TCP peer, or the client address in
   * X-Forwarded-For behind a declared number of trusted proxies.
   */
  SOURCE_ADDRESS = 'source-address',
}

/** A JWT issuer a rule reads claims of: a `JwtIssuer` construct, or anything with its `issuer`. */
export interface IJwtIssuerRef {
  /** The issuer, exactly as in the tokens' `iss` claim (e.g. `https://idp.example.com`). */
  readonly issuer: string;
}

/** The issuer string of a reference or a plain string. */
export function issuerOf(ref: IJwtIssuerRef | string): string {
  return typeof ref === 'string' ? ref : ref?.issuer;
}

/** A claim path: a top-level claim name, or the names of nested objects then the claim. */
export function claimPathOf(claim: string | readonly string[]): readonly string[] {
  return typeof claim === 'string' ? [claim] : [...(claim ?? [])];
}
