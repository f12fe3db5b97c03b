/**
 * Synthesizes every example app in examples/<name>/ into dist/<name>/.
 *
 * Folders with their own package.json (examples/app-repo) are standalone user apps and are skipped.
 * Each example's main.ts exports `build(outdir)`, returning the cdk8s Apps it defines (an example
 * may write several, e.g. one per target). The same file also runs on its own with `cdk8s synth`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { App } from 'cdk8s';

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
  for (const app of apps) app.synth();
  const files = apps.flatMap((a) => fs.readdirSync(a.outdir).map((f) => path.join(a.outdir, f)));
  console.log(`dist/${name}: ${files.length} file(s) in ${Date.now() - started} ms`);
}
