/**
 * The README's quick start is real code: extracted from README.md, compiled and run against the
 * library, it synthesizes without error and writes the release it describes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as YAML from 'yaml';

function quickStart(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README has no ts block under "## Quick start"');
  return match[1];
}

test('the quick start synthesizes a progressive lane across web and cart', () => {
  // GIVEN the quick start, importing this checkout instead of the published package
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-readme-'));
  const source = quickStart()
    .replace(/from 'cdk8s-gray-release'/g, `from ${JSON.stringify(path.join(__dirname, '..', 'src'))}`)
    .replace('new App()', `new App({ outdir: ${JSON.stringify(outdir)} })`);
  expect(source.split('\n').length).toBeLessThanOrEqual(25);
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true } }).outputText;
  // WHEN it runs (jest's require compiles the library's TypeScript sources)
  new Function('require', 'exports', js)(require, {});
  // THEN it wrote both services' Rollouts and TrafficRoutings with the lane match, and the EnvoyFilter
  const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8')).map((d) => d.toJS());
  const routings = objects.filter((o) => o.kind === 'TrafficRouting');
  expect(routings.map((r) => r.spec.objectRef[0].service).sort()).toEqual(['cart', 'web']);
  for (const r of routings) expect(r.spec.strategy.matches).toEqual([{ headers: [{ type: 'Exact', name: 'my-request-id', value: 'canary' }] }]);
  expect(objects.filter((o) => o.kind === 'EnvoyFilter')).toHaveLength(1);
});
