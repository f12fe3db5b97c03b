/**
 * The RequestAuthentication an ingress gateway needs before routes may match JWT claims
 * (Istio 1.23: claim routing works only at gateways, with a RequestAuthentication selecting the
 * gateway pods; notes §5b). Minimal form of the JWT contract (contracts.md "JWT"); #16 may
 * replace it with its own issuer construct.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { toJson_RequestAuthenticationSpec } from '../../../imports/istio-security';
import { meshObject } from '../core/mesh-object';
import { problemsAt } from '../core/state';

/** apiVersion of the RequestAuthentication (served by Istio 1.23 with the same schema as v1). */
const SECURITY_API_VERSION = 'security.istio.io/v1beta1';

/** A JWT issuer the gateway validates tokens of. */
export interface JwtIssuerProps {
  /** The token's `iss`, e.g. `https://auth.example.com`. */
  readonly issuer: string;
  /** Where the issuer's public keys are (`https://auth.example.com/.well-known/jwks.json`). */
  readonly jwksUri: string;
  /**
   * Accepted `aud` values.
   * @default - any audience
   */
  readonly audiences?: readonly string[];
  /**
   * Pass the token on to the upstream.
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
}

/** A JWT issuer, as the gateway validates it. */
export type JwtIssuer = JwtIssuerProps;

/** What the RequestAuthentication is written with. */
export interface RequestAuthenticationProps {
  readonly name: string;
  readonly namespace?: string;
  /** The gateway pods' labels. */
  readonly selector: Readonly<Record<string, string>>;
}

const URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** A RequestAuthentication selecting the gateway pods, with one JWT rule per issuer. */
export class RequestAuthentication extends Construct {
  /** The `RequestAuthentication` object. */
  public readonly apiObject: ApiObject;
  private readonly list: JwtIssuer[] = [];

  public constructor(scope: Construct, id: string, props: RequestAuthenticationProps) {
    super(scope, id);
    this.apiObject = meshObject(this, 'Resource', {
      apiVersion: SECURITY_API_VERSION,
      kind: 'RequestAuthentication',
      metadata: { name: props.name, namespace: props.namespace },
      // The generated toJson writes `jwks_uri`; Istio's documented field is `jwksUri` (the CRD takes either).
      spec: () => ({
        ...toJson_RequestAuthenticationSpec({ selector: { matchLabels: { ...props.selector } } }),
        jwtRules: this.list.map((i) => JSON.parse(JSON.stringify({
          issuer: i.issuer,
          jwksUri: i.jwksUri,
          audiences: i.audiences ? [...i.audiences] : undefined,
          forwardOriginalToken: i.forwardOriginalToken,
        }))),
      }),
    });
  }

  /** The issuers, in the order added. */
  public get issuers(): readonly JwtIssuer[] {
    return [...this.list];
  }

  /** Adds an issuer; throws when its URLs are not http(s) or it is added twice. */
  public addIssuer(issuer: JwtIssuerProps): void {
    const p = problemsAt(this.node.scope!);
    if (!issuer.issuer || /\s/.test(issuer.issuer)) p.add('requireJwt issuer', `${JSON.stringify(issuer.issuer)} is not an issuer`, 'give the token\'s iss value, e.g. "https://auth.example.com"');
    if (!URL.test(issuer.jwksUri ?? '')) p.add('requireJwt jwksUri', `${JSON.stringify(issuer.jwksUri)} is not an http(s) URL`, 'give the URL of the issuer\'s JWKS, e.g. "https://auth.example.com/.well-known/jwks.json"');
    if (this.list.some((i) => i.issuer === issuer.issuer)) p.add('requireJwt issuer', `the issuer ${issuer.issuer} is added twice`, 'add each issuer once');
    p.throwIfAny();
    this.list.push({ ...issuer, audiences: issuer.audiences ? [...issuer.audiences] : undefined });
  }
}
