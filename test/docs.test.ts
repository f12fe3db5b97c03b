/**
 * Property: the committed API reference (docs/api/, markdown from the TSDoc of both entry points)
 * is current. typedoc runs once, with the committed typedoc.json, into a temporary folder, and
 * every file must equal the committed one; a file added or removed counts as a difference.
 *
 * When this fails after a change to the public API or its TSDoc: run `npx projen docs` (or
 * `npm run docs`) and commit docs/api/.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const COMMITTED = path.join(ROOT, 'docs', 'api');

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full).map((f) => path.join(e.name, f)) : [e.name];
  }).sort();
}

describe('docs/api', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-docs-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('is what `npx projen docs` generates from the current source', () => {
    // GIVEN the API reference regenerated from the source
    const out = path.join(tmp, 'api');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Error'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const generated = filesUnder(out);
    // THEN it has both entry points, and equals the committed files one by one
    expect(generated).toEqual(expect.arrayContaining(['README.md', 'cdk8s-gray-release.md', 'analysis.md']));
    const names = [...new Set([...generated, ...filesUnder(COMMITTED)])].sort();
    const stale = names.filter((f) => {
      const read = (dir: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
      return read(out) !== read(COMMITTED);
    });
    const fix = 'run `npx projen docs` (or `npm run docs`) and commit docs/api/';
    expect({ stale, fix }).toEqual({ stale: [], fix });
  }, 120_000);
});
