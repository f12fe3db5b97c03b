/**
 * Property: the three layers import one way, and `npm test` (which runs eslint) fails otherwise.
 *
 *     src/model        plain TypeScript: imports only src/model and imports/ (no cdk8s, no constructs)
 *     src/constructs   builds on src/model; never imports the tools
 *     src/analysis     tools over manifests; imports src/model only (never a construct, nor src/index.ts)
 *     src/cli          the command; imports src/analysis and src/model
 *
 * The table below is this test's own statement of that rule (not read from .eslintrc.json): each
 * wrong-way import is put at the top of a real file of the layer and linted with the committed
 * eslint configuration (ESLint's Node API, the same config `npm test` uses); the rule must fire
 * on that line. Right-way imports are linted the same way and must not fire, so the rule is not
 * simply "everything is refused". Finally the whole tree is linted for the two layer rules only
 * (without type information, which they do not need) and must be clean.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ESLint, Linter, loadESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..');
const LAYER_RULES = ['import/no-restricted-paths', 'no-restricted-imports'];

interface ImportCase {
  /** A file of the importing layer (its text follows the injected line). */
  readonly file: string;
  /** The import statement put on line 1. */
  readonly line: string;
}

const WRONG_WAY: readonly ImportCase[] = [
  // src/model: nothing above it, and no cdk8s
  { file: 'src/model/matching.ts', line: "import { GrayService } from '../constructs/service/gray-service';" },
  { file: 'src/model/routing/service-routing.ts', line: "import { addChecks } from '../../constructs/core/state';" },
  { file: 'src/model/matching.ts', line: "import { explain } from '../analysis/explain';" },
  { file: 'src/model/matching.ts', line: "import { lint } from '../analysis';" },
  { file: 'src/model/matching.ts', line: "import { main } from '../cli/main';" },
  { file: 'src/model/matching.ts', line: "import { GrayService } from '..';" },
  { file: 'src/model/matching.ts', line: "import { Chart } from 'cdk8s';" },
  { file: 'src/model/matching.ts', line: "import { Testing } from 'cdk8s/lib/testing';" },
  { file: 'src/model/matching.ts', line: "import * as kplus from 'cdk8s-plus-27';" },
  { file: 'src/model/matching.ts', line: "import { Construct } from 'constructs';" },
  { file: 'src/model/kruise/canary-step.ts', line: "import type { IConstruct } from 'constructs';" },
  // the tools: never a construct
  { file: 'src/analysis/explain.ts', line: "import { GrayService } from '../constructs/service/gray-service';" },
  { file: 'src/analysis/lint.ts', line: "import { GrayService } from '..';" },
  { file: 'src/analysis/lint.ts', line: "import { GrayService } from '../index';" },
  { file: 'src/cli/main.ts', line: "import { IngressGateway } from '../constructs/ingress/ingress-gateway';" },
  // the constructs: never the tools
  { file: 'src/constructs/core/mesh-object.ts', line: "import { explain } from '../../analysis';" },
  { file: 'src/constructs/service/gray-service.ts', line: "import { lint } from '../../analysis/lint';" },
  { file: 'src/constructs/core/mesh-object.ts', line: "import { main } from '../../cli/main';" },
];

const RIGHT_WAY: readonly ImportCase[] = [
  { file: 'src/model/matching.ts', line: "import type { VirtualServiceSpecHttp } from '../../imports/istio-networking';" },
  { file: 'src/model/matching.ts', line: "import { GrayReleaseError } from './problem';" },
  { file: 'src/constructs/core/mesh-object.ts', line: "import { hostCovers } from '../../model/matching';" },
  { file: 'src/constructs/core/mesh-object.ts', line: "import { Chart } from 'cdk8s';" },
  { file: 'src/analysis/explain.ts', line: "import { hostCovers } from '../model/matching';" },
  { file: 'src/cli/main.ts', line: "import { lint } from '../analysis';" },
];

/** The committed .eslintrc.json (projen writes a comment line first). */
function committedConfig(): Linter.LegacyConfig {
  const text = fs.readFileSync(path.join(ROOT, '.eslintrc.json'), 'utf8');
  return JSON.parse(text.replace(/^\/\/.*$/m, ''));
}

/** The layer-rule messages of `line` put on line 1 of `file`, linted with the committed config. */
async function layerMessages(eslint: ESLint, c: ImportCase): Promise<string[]> {
  const text = `${c.line}\n${fs.readFileSync(path.join(ROOT, c.file), 'utf8')}`;
  const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, c.file) });
  const parseErrors = result.messages.filter((m) => m.fatal);
  expect(parseErrors).toEqual([]);
  return result.messages.filter((m) => m.line === 1 && LAYER_RULES.includes(m.ruleId ?? '')).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layers: imports go one way', () => {
  let eslint: ESLint;
  beforeAll(async () => {
    const LegacyESLint = await loadESLint({ useFlatConfig: false });
    // The full committed configuration, type information included: what `npm test` runs.
    eslint = new LegacyESLint({ cwd: ROOT }) as ESLint;
  });

  test.each(WRONG_WAY)('$file: "$line" is refused', async (c) => {
    // GIVEN a wrong-way import at the top of a file of the layer
    // WHEN it is linted with the committed configuration
    const messages = await layerMessages(eslint, c);
    // THEN a layer rule fires on it, pointing to CONTRIBUTING.md
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).toMatch(/CONTRIBUTING\.md/);
  }, 60_000);

  test.each(RIGHT_WAY)('$file: "$line" is allowed', async (c) => {
    expect(await layerMessages(eslint, c)).toEqual([]);
  }, 60_000);

  test('the tree has no wrong-way import', async () => {
    // GIVEN only the layer rules of the committed configuration (they need no type information)
    const rc = committedConfig();
    const pick = (rules: Partial<Linter.RulesRecord> | undefined) => Object.fromEntries(Object.entries(rules ?? {}).filter(([k]) => LAYER_RULES.includes(k)));
    const LegacyESLint = await loadESLint({ useFlatConfig: false });
    const layersOnly = new LegacyESLint({
      cwd: ROOT,
      useEslintrc: false,
      baseConfig: {
        root: true,
        parser: rc.parser,
        parserOptions: { ecmaVersion: 2020, sourceType: 'module' },
        plugins: ['import'],
        settings: rc.settings,
        ignorePatterns: rc.ignorePatterns,
        rules: pick(rc.rules),
        overrides: (rc.overrides ?? []).map((o) => ({ files: o.files, rules: pick(o.rules) })).filter((o) => Object.keys(o.rules).length > 0),
      },
    } as ESLint.LegacyOptions) as ESLint;
    // WHEN every source file is linted
    const results = await layersOnly.lintFiles(['src/**/*.ts']);
    // THEN there is no finding, and every layer was looked at
    expect(results.flatMap((r) => r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`))).toEqual([]);
    const folders = new Set(results.map((r) => path.relative(ROOT, r.filePath).split(path.sep).slice(0, 2).join('/')));
    expect([...folders].filter((f) => /^src\/(model|constructs|analysis|cli)$/.test(f)).sort()).toEqual(['src/analysis', 'src/cli', 'src/constructs', 'src/model']);
  }, 60_000);

  test('imports/ (which src/model may use) does not depend on cdk8s or constructs either', () => {
    // eslint ignores the generated folder, so the model's one outside dependency is checked here
    const dir = path.join(ROOT, 'imports');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const offending = files.filter((f) => /(from|require\()\s*['"](cdk8s|cdk8s-plus-27|constructs)(\/[^'"]*)?['"]/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(offending).toEqual([]);
  });
});
