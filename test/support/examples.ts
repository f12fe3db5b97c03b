/**
 * Builds the bundled examples in memory (validation included, nothing written), so tests do not
 * depend on `npm run synth` having run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { App } from 'cdk8s';
import * as YAML from 'yaml';

export const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

/**
 * Names of the examples (folders with a main.ts exporting build). A folder with its own
 * package.json is a standalone user app (e.g. app-repo), installed and synthesized by its own test.
 */
export function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES_DIR)
    .filter((n) => fs.existsSync(path.join(EXAMPLES_DIR, n, 'main.ts')) && !fs.existsSync(path.join(EXAMPLES_DIR, n, 'package.json')))
    .sort();
}

export interface SynthesizedApp {
  /** Output folder relative to the example's dist folder ('' for a single app). */
  readonly target: string;
  readonly objects: any[];
}

/** Synthesizes every app of an example to objects (runs the cdk8s validations). */
export function synthExample(name: string): SynthesizedApp[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = require(path.join(EXAMPLES_DIR, name, 'main.ts')) as { build(outdir: string): App[] };
  const outdir = path.join(os.tmpdir(), 'gray-release-examples', name);
  return example.build(outdir).map((app) => ({
    target: path.relative(outdir, app.outdir),
    objects: YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJS()).filter((o) => o),
  }));
}
