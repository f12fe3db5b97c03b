/**
 * Synthesizes every example app in examples/<name>/ into dist/<name>/, and writes beside each
 * output folder a ROUTES.md with the routing as Mermaid diagrams (rendered by GitHub), so a
 * pull request shows where requests go.
 *
 * Folders with their own package.json (examples/app-repo) are standalone user apps and are skipped.
 * Each example's main.ts exports `build(outdir)`, returning the cdk8s Apps it defines (an example
 * may write several, e.g. one per target). The same file also runs on its own with `cdk8s synth`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { App } from 'cdk8s';
import { loadManifests, renderRoutesMarkdown } from '../src/analysis';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const only = process.argv.slice(2);

const names = fs
  .readdirSync(examplesDir)
  .filter((n) => fs.existsSync(path.join(examplesDir, n, 'main.ts')))
  // A folder with its own package.json is a standalone user app (app-repo): its test installs it.
  .filter((n) => !fs.existsSync(path.join(examplesDir, n, 'package.json')))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

for (const name of names) {
  const started = Date.now();
  const outdir = path.join(root, 'dist', name);
  fs.rmSync(outdir, { recursive: true, force: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = require(path.join(examplesDir, name, 'main.ts')) as { build(outdir: string): App[] };
  if (typeof example.build !== 'function') {
    throw new Error(`examples/${name}/main.ts must export build(outdir): App[]`);
  }
  const apps = example.build(outdir);
  let files = 0;
  for (const app of apps) {
    app.synth();
    const yamlFiles = fs.readdirSync(app.outdir).filter((f) => f.endsWith('.yaml')).sort();
    files += yamlFiles.length;
    const title = `Routes of ${path.relative(path.join(root, 'dist'), app.outdir)}`;
    fs.writeFileSync(path.join(app.outdir, 'ROUTES.md'), routesMarkdown(app.outdir, yamlFiles, title));
  }
  console.log(`dist/${name}: ${files} manifest file(s) + ROUTES.md in ${Date.now() - started} ms`);
}

/**
 * ROUTES.md for one output folder. When several files route the same host (alternative
 * set-ups applied one at a time, as in examples/dynamic-subset), each gets its own section
 * together with the files that route nothing (the application); otherwise one section.
 */
function routesMarkdown(dir: string, files: string[], title: string): string {
  const loaded = files.map((f) => ({ file: f, manifests: loadManifests([path.join(dir, f)]) }));
  const routes = (m: readonly any[]) => m.some((o) => o.kind === 'VirtualService' || o.kind === 'DestinationRule');
  const routing = loaded.filter((l) => routes(l.manifests));
  const hostsOf = (m: readonly any[]) => m.filter((o) => o.kind === 'DestinationRule').map((o) => o.spec?.host);
  const allHosts = routing.flatMap((l) => hostsOf(l.manifests));
  if (routing.length < 2 || new Set(allHosts).size === allHosts.length) {
    return renderRoutesMarkdown(loaded.flatMap((l) => l.manifests), { title });
  }
  const shared = loaded.filter((l) => !routes(l.manifests)).flatMap((l) => l.manifests);
  return routing.map((l) => renderRoutesMarkdown([...shared, ...l.manifests], { title: `${title}: ${l.file}` })).join('\n');
}
