import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { appServiceHosts, namespaceOfService } from './app-graph';
import { SidecarSpecOutboundTrafficPolicyMode, toJson_SidecarSpec } from '../../../imports/istio-networking';
import { SIDECAR_API_VERSION } from '../../model/api-versions';
import { qualifyHost } from '../../model/matching';
import { isDns1123Label, isDns1123Subdomain } from '../../model/names';
import { ModelProblem, Problems, problem } from '../../model/problem';
import { WellKnown } from '../../model/well-known';
import { meshObject } from '../core/mesh-object';
import { addChecks, ChartState, problemsAt } from '../core/state';
import { GrayService } from '../service/gray-service';

/** What a proxy does with a call to a host it has no configuration for. */
export enum OutboundTrafficPolicy {
  /** Refuse it (502): only declared calls leave the pod. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Pass it through to the address asked for, bypassing every route, lane and retry policy. */
  ALLOW_ANY = 'ALLOW_ANY',
}

/** Props of {@link ProxyScoping}. */
export interface ProxyScopingProps {
  /**
   * More egress hosts every workload of the chart receives, in the Sidecar's
   * `namespace/dnsName` form (`observability/*`, `*\/api.example.com`). `istio-system/*` is
   * always included.
   * @default - none
   */
  readonly extraHosts?: readonly string[];
  /**
   * Hosts outside the app that services call (`calls: ['api.stripe.com']`), e.g. through a
   * ServiceEntry. A called host that is neither a Service of the app nor listed here is an error.
   * @default - none
   */
  readonly externalHosts?: readonly string[];
  /**
   * What a proxy does with a call to a host outside its scope.
   * @default - the mesh's setting (ALLOW_ANY in a default install)
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicy;
}

/** Always in scope: istiod and the other control-plane services. */
const CONTROL_PLANE_HOSTS = 'istio-system/*';

const EGRESS_HOST = /^(\*|\.|~|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/**
 * Proxy configuration scoped to the declared call graph, for every GrayService of the chart
 * (present and future): one Istio `Sidecar` per service selecting all its pods, whose egress
 * hosts are exactly the services it calls (plus `istio-system/*` and `extraHosts`), so each
 * proxy receives clusters and routes only for what it calls instead of for every service of the
 * mesh (see BENCHMARKS.md: at 2,000 services, hundreds of times fewer).
 *
 * A call that is not declared then has no route in the caller's proxy: with `ALLOW_ANY` it
 * bypasses every route and lane (passthrough), with `REGISTRY_ONLY` it fails. So a called host
 * that exists nowhere in the app is refused at synth, and lint flags undeclared calls.
 *
 * @see https://istio.io/v1.23/docs/reference/config/networking/sidecar/
 */
export class ProxyScoping extends Construct {
  /** The Sidecar of each service, by service. */
  public readonly sidecars = new Map<GrayService, ApiObject>();

  public constructor(scope: Construct, id: string, private readonly props: ProxyScopingProps = {}) {
    super(scope, id);
    const p = problemsAt(this);
    this.checkProps(p, props);
    p.throwIfAny();
    ChartState.of(this).onService((s) => this.cover(s));
    addChecks(this, () => [...this.undeclaredHosts(), ...ChartState.of(this).uniquenessProblems(this)]);
  }

  /** The egress hosts of `service`'s Sidecar, sorted: its calls, the control plane, the extras. */
  public egressHosts(service: GrayService): string[] {
    const hosts = new Set<string>([CONTROL_PLANE_HOSTS, ...(this.props.extraHosts ?? [])]);
    const known = appServiceHosts(this);
    const namespace = namespaceOfService(service);
    for (const host of service.callees) {
      const fqdn = qualifyHost(host, namespace);
      const [, ns] = fqdn.split('.');
      if (known.has(fqdn)) hosts.add(`${ns}/${fqdn}`);
      else if ((this.props.externalHosts ?? []).includes(host)) hosts.add(`*/${host}`);
    }
    return [...hosts].sort();
  }

  private cover(service: IConstruct): void {
    if (!(service instanceof GrayService) || this.sidecars.has(service)) return;
    const mode = this.props.outboundTrafficPolicy;
    this.sidecars.set(service, meshObject(this, `Sidecar-${service.node.path.replace(/\//g, '-')}`, {
      apiVersion: SIDECAR_API_VERSION,
      kind: 'Sidecar',
      metadata: { name: `${service.name}-egress`, namespace: service.namespace, annotations: { [WellKnown.CALL_GRAPH_POLICY_ANNOTATION]: service.name } },
      spec: () => toJson_SidecarSpec({
        workloadSelector: { labels: { [WellKnown.APP_LABEL]: service.name } },
        egress: [{ hosts: this.egressHosts(service) }],
        outboundTrafficPolicy: mode === undefined ? undefined : {
          mode: mode === OutboundTrafficPolicy.REGISTRY_ONLY ? SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY : SidecarSpecOutboundTrafficPolicyMode.ALLOW_UNDERSCORE_ANY,
        },
      }),
    }));
  }

  /** A declared call to a host that is no Service of the app and not declared external. */
  private undeclaredHosts(): ModelProblem[] {
    const known = appServiceHosts(this);
    const external = new Set(this.props.externalHosts ?? []);
    const out: ModelProblem[] = [];
    for (const service of this.sidecars.keys()) {
      const namespace = namespaceOfService(service);
      for (const host of service.callees) {
        if (known.has(qualifyHost(host, namespace)) || external.has(host)) continue;
        out.push(problem(`services.${service.name}.calls`, `${service.name} calls "${host}", which is no Service of the app; with proxy scoping its proxy would have no route to it (ALLOW_ANY: passthrough around every route and lane; REGISTRY_ONLY: failure)`,
          `declare the service in the app, fix the host in ${service.name}'s calls, or list "${host}" in externalHosts`));
      }
    }
    return out;
  }

  private checkProps(p: Problems, props: ProxyScopingProps): void {
    (props.extraHosts ?? []).forEach((h, i) => {
      if (!EGRESS_HOST.test(h)) p.add(`extraHosts[${i}]`, `${JSON.stringify(h)} is not a Sidecar egress host`, 'use "namespace/dnsName", e.g. "observability/*" or "*/api.example.com"');
    });
    (props.externalHosts ?? []).forEach((h, i) => {
      const name = h.startsWith('*.') ? h.slice(2) : h;
      if (!isDns1123Subdomain(name) || isDns1123Label(name)) p.add(`externalHosts[${i}]`, `${JSON.stringify(h)} is not an external host name`, 'give a DNS name with a dot, e.g. "api.example.com"');
    });
    if (props.outboundTrafficPolicy !== undefined && !Object.values(OutboundTrafficPolicy).includes(props.outboundTrafficPolicy)) {
      p.add('outboundTrafficPolicy', `${JSON.stringify(props.outboundTrafficPolicy)} is not a policy`, 'use OutboundTrafficPolicy.REGISTRY_ONLY or ALLOW_ANY, or leave it out');
    }
  }
}
