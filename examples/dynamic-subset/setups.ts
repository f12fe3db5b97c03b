/**
 * The seed's routing set-ups for the helloworld service, as typed values. Each one is a
 * DestinationRule + VirtualService for the same host, so each goes into its own chart.
 */
import { DynamicSubsetRoutingProps, FallbackPolicy, MeshTarget, POD_IP_KEY } from '../../src';

/** The props of one set-up, without the target, service and workloads. */
export type SetupProps = Omit<DynamicSubsetRoutingProps, 'target' | 'service' | 'workloads'>;

export interface Setup {
  /** The chart id and file name (`<name>.k8s.yaml`). */
  readonly name: string;
  /** What the set-up shows (the seed's step). */
  readonly description: string;
  /** The targets it can be written for. */
  readonly targets: readonly MeshTarget[];
  readonly props: SetupProps;
}

const BOTH = [MeshTarget.ASM, MeshTarget.ISTIO] as const;

/** x-version → version (default v3), x-stage → stage (default prod), as in the seed. */
const STAGE_VERSION_HEADERS = [
  { header: 'x-version', key: 'version', defaultValue: 'v3' },
  { header: 'x-stage', key: 'stage', defaultValue: 'prod' },
];

const stageVersion = (fallbackPolicy?: FallbackPolicy) => [{ keys: ['stage', 'version'], fallbackPolicy }];

export const SETUPS: readonly Setup[] = [
  {
    name: 'plain',
    description: 'Step 2: group by stage and version; no fallback policy (ASM default NO_FALLBACK)',
    targets: BOTH,
    props: { subsetSelectors: stageVersion(), headerMappings: STAGE_VERSION_HEADERS },
  },
  {
    name: 'no-fallback',
    description: 'Step 3: NO_FALLBACK, a missing group answers 503 no healthy upstream',
    targets: BOTH,
    props: { subsetSelectors: stageVersion(FallbackPolicy.NO_FALLBACK), headerMappings: STAGE_VERSION_HEADERS },
  },
  {
    name: 'any-endpoint',
    description: 'Step 3: ANY_ENDPOINT, a missing group goes to any helloworld pod',
    targets: BOTH,
    props: { subsetSelectors: stageVersion(FallbackPolicy.ANY_ENDPOINT), headerMappings: STAGE_VERSION_HEADERS },
  },
  {
    name: 'default-subset',
    description: 'Step 3: DEFAULT_SUBSET, a missing group goes to stage=prod, version=v3',
    targets: BOTH,
    props: {
      subsetSelectors: stageVersion(FallbackPolicy.DEFAULT_SUBSET),
      headerMappings: STAGE_VERSION_HEADERS,
      defaultSubset: { stage: 'prod', version: 'v3' },
    },
  },
  {
    name: 'pod-ip',
    description: 'Step 4: the built-in key %ip%, x-ip names one pod (ASM only: pod IPs are unknown at synth)',
    targets: [MeshTarget.ASM],
    props: {
      subsetSelectors: [{ keys: [POD_IP_KEY] }],
      headerMappings: [{ header: 'x-ip', key: POD_IP_KEY }],
      defaultSubset: { stage: 'prod', version: 'v3' },
    },
  },
];
