/**
 * One measurement of the tools, run in a fresh process by tools.ts (precompiled JS, as worker.ts):
 *
 *   tools-worker yaml <n> <outdir>              synthesize the bench mesh of n services to outdir, add a
 *                                               gateway entry with its coloring, and write <outdir>-after
 *                                               (the same with one lane value changed), for diff (not timed)
 *   tools-worker parse <warmup-dir> <dir>...    time reading the YAML of the dirs (loadManifests)
 *   tools-worker cli <warmup-json> <args-json>  time one gray-release command (main), its output discarded
 *
 * Each timed mode first runs the same code on the 10-service mesh (warm-up). Prints one JSON line:
 * { ms, maxRssKb, code, outBytes }.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { buildMesh, NAMESPACE } from './mesh';
import { loadManifests } from '../src/analysis';
import { main } from '../src/cli/main';

/** A gateway that routes to svc-0 and colors `agent: pc` into the blue lane: the entry explain and lanes follow. */
const GATEWAY_ENTRY = `apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: ${NAMESPACE}}
spec:
  selector: {istio: ingressgateway}
  servers: [{hosts: [mesh.example.com], port: {name: http, number: 80, protocol: HTTP}}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: entry, namespace: ${NAMESPACE}}
spec:
  hosts: [mesh.example.com]
  gateways: [gw]
  http: [{route: [{destination: {host: svc-0}}]}]
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: coloring, namespace: istio-system, annotations: {gray-release.io/sets-headers: x-lane}}
spec:
  workloadSelector: {labels: {app: istio-ingressgateway}}
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: GATEWAY
      listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.lua
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
          inlineCode: |
            function envoy_on_request(request_handle)
              local headers = request_handle:headers()
              if headers:get("agent") == "pc" then
                headers:replace("x-lane", "blue")
              else
                headers:remove("x-lane")
              end
            end
`;

function yaml(n: number, outdir: string): object {
  fs.rmSync(outdir, { recursive: true, force: true });
  buildMesh(n, outdir).app.synth();
  fs.writeFileSync(path.join(outdir, 'gateway.yaml'), GATEWAY_ENTRY);
  const after = `${outdir}-after`;
  fs.rmSync(after, { recursive: true, force: true });
  fs.cpSync(outdir, after, { recursive: true });
  // The change under review: the first lane rule's value (one service's blue lane becomes teal).
  const file = fs.readdirSync(after).find((f) => f.endsWith('.k8s.yaml'))!;
  const text = fs.readFileSync(path.join(after, file), 'utf8');
  fs.writeFileSync(path.join(after, file), text.replace(/exact: blue/, 'exact: teal'));
  return { bytes: fs.statSync(path.join(outdir, file)).size };
}

function timeParse(warmup: string, dirs: string[]): object {
  loadManifests([warmup]);
  const t0 = performance.now();
  const objects = loadManifests(dirs).length;
  return { ms: performance.now() - t0, objects };
}

async function timeCli(warmup: string[], args: string[]): Promise<object> {
  let outBytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => { outBytes += chunk.length; return true; }) as typeof process.stdout.write;
  try {
    await main(warmup);
    outBytes = 0;
    const t0 = performance.now();
    const code = await main(args);
    return { ms: performance.now() - t0, code, outBytes };
  } finally {
    process.stdout.write = write;
  }
}

async function run(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  let r: object;
  if (mode === 'yaml') r = yaml(Number(rest[0]), rest[1]);
  else if (mode === 'parse') r = timeParse(rest[0], rest.slice(1));
  else if (mode === 'cli') r = await timeCli(JSON.parse(rest[0]), JSON.parse(rest[1]));
  else throw new Error(`unknown mode ${mode}`);
  process.stdout.write(`${JSON.stringify({ ...r, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
