import { ApiObject, ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

/** What {@link meshObject} needs to create one API object. */
export interface MeshObjectProps {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ApiObjectMetadata;
  /** Produces the JSON `spec` at synth time, after every mutator has run. */
  readonly spec: () => unknown;
}

/**
 * Creates a custom resource as a plain `ApiObject` whose spec is computed at synth.
 *
 * The typed classes under imports/ pin one apiVersion each; the library lets users choose
 * (e.g. Istio `v1beta1` or `v1`), so specs are built with the imported types and their
 * `toJson_*` functions, and written through this one helper. The id is `Resource` by
 * convention so that `ApiObject.of(construct)` finds it as the escape hatch.
 */
export function meshObject(scope: Construct, id: string, props: MeshObjectProps): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: props.apiVersion,
    kind: props.kind,
    metadata: props.metadata,
    spec: Lazy.any({ produce: props.spec }),
  });
}
