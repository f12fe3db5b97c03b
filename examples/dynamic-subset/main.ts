/**
 * The seed "ASM dynamic subset routing" walkthrough, for both mesh targets:
 * dist/dynamic-subset/asm/ and dist/dynamic-subset/istio/, each with `app.k8s.yaml` (the
 * helloworld application) and one `<setup>.k8s.yaml` per routing set-up. Apply the app plus ONE
 * set-up at a time: every set-up is a DestinationRule and VirtualService named `helloworld`.
 */
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { DynamicSubsetRouting, MeshTarget } from '../../src';
import { HelloworldApp, SERVICE } from './app';
import { SETUPS } from './setups';

/** Builds one App per target (not synthesized). */
export function build(outdir: string): App[] {
  return [MeshTarget.ASM, MeshTarget.ISTIO].map((target) => {
    const app = new App({ outdir: path.join(outdir, target) });
    const helloworld = new HelloworldApp(app, 'app');
    for (const setup of SETUPS.filter((s) => s.targets.includes(target))) {
      const chart = new Chart(app, setup.name, { namespace: SERVICE.namespace, disableResourceNameHashes: true });
      new DynamicSubsetRouting(chart, 'helloworld', {
        target,
        service: { name: SERVICE.name, namespace: SERVICE.namespace, port: SERVICE.port },
        workloads: helloworld.deployments,
        ...setup.props,
      });
    }
    return app;
  });
}

if (require.main === module) {
  for (const app of build(process.env.CDK8S_OUTDIR ?? 'dist')) app.synth();
}
