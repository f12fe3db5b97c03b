/**
 * Synthesizes every example app in examples/<name>/ into dist/<name>/, and writes beside each
 * output folder a ROUTES.md with the routing as Mermaid diagrams (rendered by GitHub), so a
 * pull request shows where requests go.
 *
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
    fs.writeFileSync(path.join(app.outdir, 'ROUTES.md'), renderRoutesMarkdown(loadManifests(yamlFiles.map((f) => path.join(app.outdir, f))), { title }));
  }
  console.log(`dist/${name}: ${files} manifest file(s) + ROUTES.md in ${Date.now() - started} ms`);
}
