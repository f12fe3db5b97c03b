import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { appGraph, namespaceOfService } from './app-graph';
import { AuthorizationPolicySpecAction, PeerAuthenticationSpecMtlsMode, toJson_AuthorizationPolicySpec, toJson_PeerAuthenticationSpec } from '../../../imports/istio-security';
import { SECURITY_API_VERSION } from '../../model/api-versions';
import { isDns1123Subdomain, requireObjectName } from '../../model/names';
import { ModelProblem, Problems, problem } from '../../model/problem';
import { DEFAULT_TRUST_DOMAIN, defaultIngressPrincipal, principal, serviceFqdn } from '../../model/security/call-graph';
import { WellKnown } from '../../model/well-known';
import { meshObject } from '../core/mesh-object';
import { addChecks, ChartState, problemsAt } from '../core/state';
import { GrayService } from '../service/gray-service';

/** Mutual TLS mode of the namespace-wide PeerAuthentication. */
export enum PeerAuthenticationMode {
  /** Only mutual TLS: a workload without a sidecar (or outside the mesh) cannot connect. */
  STRICT = 'STRICT',
  /** Mutual TLS and plain text (a migration step; the AuthorizationPolicies still deny callers without a mesh identity). */
  PERMISSIVE = 'PERMISSIVE',
}

/** Props of {@link ZeroTrust}. */
export interface ZeroTrustProps {
  /**
   * Writes one namespace-wide PeerAuthentication with this mode in every namespace of the
   * chart's services.
   *
   * @default - none: the mesh's mode applies (PERMISSIVE in a default install); the
   * AuthorizationPolicies still allow only callers with a mesh identity
   */
  readonly peerAuthentication?: PeerAuthenticationMode;
  /**
   * Name of those PeerAuthentications.
   * @default 'gray-release-mtls'
   */
  readonly peerAuthenticationName?: string;
  /**
   * The mesh's trust domain (the first part of every principal).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Identities of the ingress gateway pods, allowed to call every service exposed through a
   * gateway (`gateway` prop).
   * @default ['<trustDomain>/ns/istio-system/sa/istio-ingressgateway-service-account'] (a default install)
   */
  readonly ingressPrincipals?: readonly string[];
  /**
   * More callers of a service, by service name: principals of workloads outside the app
   * (`cluster.local/ns/batch/sa/reporter`).
   * @default - none
   */
  readonly allowCallers?: Readonly<Record<string, readonly string[]>>;
}

/** Labels of the default install's ingress gateway pods (istio/istio manifests/charts/gateways/istio-ingress/values.yaml). */
const DEFAULT_INGRESS_POD_LABELS: Readonly<Record<string, string>> = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

const PRINCIPAL = /^[!-~]+\/ns\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/sa\/[!-~]+$/;

/**
 * Zero trust from the declared call graph, for every GrayService of the chart (present and
 * future): one `AuthorizationPolicy` per service selecting all its pods (base, lane and canary
 * versions: they share the `app` label) that ALLOWs exactly its declared callers, by the
 * principal of their ServiceAccount, and the ingress gateway where the service is exposed.
 * Istio then denies every other request to those pods, including calls not in the graph and any
 * client without a mesh identity (outside the mesh, or without a sidecar): lane and canary pods
 * are reachable only through the mesh, the way the lanes route. Optionally one namespace-wide
 * `PeerAuthentication` per namespace.
 *
 * ```ts
 * new ZeroTrust(chart, 'zero-trust', { peerAuthentication: PeerAuthenticationMode.STRICT });
 * ```
 *
 * @see https://istio.io/v1.23/docs/reference/config/security/authorization-policy/
 */
export class ZeroTrust extends Construct {
  /** The AuthorizationPolicy of each service, by service. */
  public readonly policies = new Map<GrayService, ApiObject>();
  /** The PeerAuthentication of each namespace, if written. */
  public readonly peerAuthentications = new Map<string, ApiObject>();

  private readonly trustDomain: string;
  private readonly ingressPrincipals: readonly string[];

  public constructor(scope: Construct, id: string, private readonly props: ZeroTrustProps = {}) {
    super(scope, id);
    const p = problemsAt(this);
    this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    this.ingressPrincipals = [...(props.ingressPrincipals ?? [defaultIngressPrincipal(this.trustDomain)])];
    this.checkProps(p, props);
    p.throwIfAny();
    ChartState.of(this).onService((s) => this.cover(s));
    addChecks(this, () => [...this.unknownCallees(), ...this.foreignGateways(), ...ChartState.of(this).uniquenessProblems(this)]);
  }

  /** The principals allowed to call `service`, sorted: declared callers, the ingress, extra callers. */
  public allowedPrincipals(service: GrayService): string[] {
    const { graph } = appGraph(this);
    const callers = graph.callers.get(serviceFqdn(service.name, namespaceOfService(service))) ?? [];
    const out = new Set(callers.map((c) => principal(this.trustDomain, c.namespace, c.serviceAccount)));
    if (service.gateway) this.ingressPrincipals.forEach((x) => out.add(x));
    (this.props.allowCallers?.[service.name] ?? []).forEach((x) => out.add(x));
    return [...out].sort();
  }

  private cover(service: IConstruct): void {
    if (!(service instanceof GrayService) || this.policies.has(service)) return;
    const policy = meshObject(this, `AuthorizationPolicy-${service.node.path.replace(/\//g, '-')}`, {
      apiVersion: SECURITY_API_VERSION,
      kind: 'AuthorizationPolicy',
      metadata: { name: `${service.name}-callers`, namespace: service.namespace, annotations: { [WellKnown.CALL_GRAPH_POLICY_ANNOTATION]: service.name } },
      spec: () => {
        const principals = this.allowedPrincipals(service);
        // No rule in an ALLOW policy allows nothing: a service no one may call is closed.
        return toJson_AuthorizationPolicySpec({
          selector: { matchLabels: { [WellKnown.APP_LABEL]: service.name } },
          action: AuthorizationPolicySpecAction.ALLOW,
          rules: principals.length > 0 ? [{ from: [{ source: { principals } }] }] : undefined,
        });
      },
    });
    this.policies.set(service, policy);
    const mode = this.props.peerAuthentication;
    const namespace = namespaceOfService(service);
    if (mode !== undefined && !this.peerAuthentications.has(namespace)) {
      this.peerAuthentications.set(namespace, meshObject(this, `PeerAuthentication-${namespace}`, {
        apiVersion: SECURITY_API_VERSION,
        kind: 'PeerAuthentication',
        metadata: { name: this.props.peerAuthenticationName ?? 'gray-release-mtls', namespace: service.namespace },
        spec: () => toJson_PeerAuthenticationSpec({ mtls: { mode: mode === PeerAuthenticationMode.STRICT ? PeerAuthenticationSpecMtlsMode.STRICT : PeerAuthenticationSpecMtlsMode.PERMISSIVE } }),
      }));
    }
  }

  /** `allowCallers` naming a service this construct does not cover would allow nothing anywhere. */
  private unknownCallees(): ModelProblem[] {
    const covered = new Set([...this.policies.keys()].map((s) => s.name));
    return Object.keys(this.props.allowCallers ?? {}).filter((name) => !covered.has(name)).map((name) => problem(`allowCallers.${name}`,
      `no GrayService named ${name} is in the chart, so these callers would be allowed nowhere`, `use the name of a service of the chart (${[...covered].sort().join(', ') || 'none yet'})`));
  }

  /**
   * The default principal is the default install's gateway (pods labelled
   * app=istio-ingressgateway, istio=ingressgateway): a service exposed through other gateway pods
   * would refuse all of its ingress traffic (403) unless ingressPrincipals names their identity.
   */
  private foreignGateways(): ModelProblem[] {
    if (this.props.ingressPrincipals !== undefined) return [];
    const out: ModelProblem[] = [];
    for (const service of this.policies.keys()) {
      const selector = service.gateway?.selector;
      if (!selector || Object.entries(selector).every(([k, v]) => DEFAULT_INGRESS_POD_LABELS[k] === v)) continue;
      out.push(problem('ingressPrincipals', `${service.name} is exposed through the gateway ${service.gateway!.name}, whose pods (${JSON.stringify(selector)}) are not the default ingress gateway, so the only ingress principal allowed (${this.ingressPrincipals.join(', ')}) is not theirs and every request through it would be denied`,
        'give ingressPrincipals the principal of those gateway pods, e.g. "cluster.local/ns/<gateway namespace>/sa/<gateway service account>"'));
    }
    return out;
  }

  private checkProps(p: Problems, props: ZeroTrustProps): void {
    if (props.peerAuthentication !== undefined && !Object.values(PeerAuthenticationMode).includes(props.peerAuthentication)) {
      p.add('peerAuthentication', `${JSON.stringify(props.peerAuthentication)} is not a mode`, 'use PeerAuthenticationMode.STRICT or PERMISSIVE, or leave it out');
    }
    if (props.peerAuthenticationName !== undefined) requireObjectName(p, 'peerAuthenticationName', 'PeerAuthentication', props.peerAuthenticationName);
    if (!isDns1123Subdomain(this.trustDomain)) p.add('trustDomain', `${JSON.stringify(this.trustDomain)} is not a trust domain`, 'give the mesh\'s trust domain, e.g. "cluster.local"');
    this.ingressPrincipals.forEach((x, i) => {
      if (!PRINCIPAL.test(x)) p.add(`ingressPrincipals[${i}]`, `${JSON.stringify(x)} is not a principal`, 'use "<trust domain>/ns/<namespace>/sa/<service account>"');
    });
    for (const [name, list] of Object.entries(props.allowCallers ?? {})) {
      list.forEach((x, i) => {
        if (!PRINCIPAL.test(x)) p.add(`allowCallers.${name}[${i}]`, `${JSON.stringify(x)} is not a principal`, 'use "<trust domain>/ns/<namespace>/sa/<service account>"');
      });
    }
  }
}
