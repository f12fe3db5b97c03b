/**
 * gray-release diff: for every entry point and every request class the rules of either version
 * tell apart, where requests go before and after; only what changed. The acceptance case: the
 * full-link-gray example against a copy whose canary match value changed lists exactly the
 * request classes that change destination, and an identical copy changes nothing (exit 0).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { Manifest, PLAIN, describeClass, diffRouting, formatDiffMarkdown, markdownCell, requestClasses } from '../../src/analysis';
import { main } from '../../src/cli/main';
import { synthExample } from '../support/examples';

const seed: Manifest[] = synthExample('full-link-gray').find((a) => a.target === '')!.objects;

/** A copy of the seed whose TrafficRoutings match `my-request-id: gray` instead of `canary`. */
function grayMatch(): Manifest[] {
  return JSON.parse(JSON.stringify(seed).replace(/"value":"canary","type":"Exact"|"type":"Exact","value":"canary"|"name":"my-request-id","value":"canary"/g, (s) => s.replace('canary', 'gray')));
}

describe('full-link-gray against a copy whose canary match value changed', () => {
  const d = diffRouting(seed, grayMatch());

  test('the copy really changed only the TrafficRoutings\' match value', () => {
    const changed = grayMatch().filter((m, i) => JSON.stringify(m) !== JSON.stringify(seed[i]));
    expect(changed.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(['TrafficRouting/mocka-tr', 'TrafficRouting/mockb-tr']);
  });

  test('exactly the changed request classes: during the release, canary and gray at each service, and agent: pc at the gateway', () => {
    expect(d.changed.map((r) => [r.entry, r.state, r.request, r.before, r.after])).toEqual([
      ['gateway default/sample-gateway host * port 80', 'release', 'agent: pc',
        'colored my-request-id=canary; mocka.default/canary → mocka-base-canary', 'colored my-request-id=canary; mocka.default/version-base → mocka-base'],
      ['service mocka.default', 'release', 'my-request-id: canary', 'mocka.default/canary → mocka-base-canary', 'mocka.default/version-base → mocka-base'],
      ['service mocka.default', 'release', 'my-request-id: gray', 'mocka.default/version-base → mocka-base', 'mocka.default/canary → mocka-base-canary'],
      ['service mockb.default', 'release', 'my-request-id: canary', 'mockb.default/canary → mockb-base-canary', 'mockb.default/version-base → mockb-base'],
      ['service mockb.default', 'release', 'my-request-id: gray', 'mockb.default/version-base → mockb-base', 'mockb.default/canary → mockb-base-canary'],
    ]);
    expect(d.compared).toMatchObject({ entries: 3, states: ['stable', 'release'] });
  });

  test('an identical copy changes nothing', () => {
    expect(diffRouting(seed, JSON.parse(JSON.stringify(seed))).changed).toEqual([]);
  });

  test('the Markdown has a section per service and escapes its cells', () => {
    const md = formatDiffMarkdown(d);
    expect(md).toContain('## Routing changes');
    expect(md).toContain('### mocka.default');
    expect(md).toContain('| service mockb.default | release | my-request-id: gray | mockb.default/version-base → mockb-base | mockb.default/canary → mockb-base-canary |');
    expect(markdownCell('a|b`c<d>\\')).toBe('a\\|b\\`c&lt;d&gt;\\\\');
  });
});

describe('request classes', () => {
  const rule = (match: object[]) => ({ match, route: [] });

  test('the plain request, a witness per match entry, and each value alone; sorted and deduplicated', () => {
    const { classes } = requestClasses([
      rule([{ headers: { 'x-lane': { exact: 'dev' } }, uri: { prefix: '/api' } }]),
      rule([{ withoutHeaders: { 'x-lane': { regex: '.*' } }, method: { exact: 'POST' } }]),
      rule([{ headers: { 'x-lane': { exact: 'dev' } } }]),
    ]);
    expect(classes.map(describeClass)).toEqual(['(plain request)', 'GET /api', 'GET /api, x-lane: dev', 'POST /', 'x-lane: dev', 'x-lane: x']);
  });

  test('a regex yields its literal alternatives, or a note when it has none', () => {
    const alt = requestClasses([rule([{ headers: { v: { regex: '^(v1|v2)$' } } }])]);
    expect(alt.classes.map(describeClass)).toEqual(['(plain request)', 'v: v1', 'v: v2']);
    const general = requestClasses([rule([{ headers: { v: { regex: '[a-f]{3}[0-9]+' } } }])]);
    expect(general.notes).toEqual([expect.stringContaining('no request value derived for header v regex')]);
  });

  test('bounded: at most 256 classes per entry, with a note', () => {
    const many = Array.from({ length: 300 }, (_, i) => rule([{ headers: { h: { exact: `v${i}` } } }]));
    const r = requestClasses(many);
    expect(r.classes).toHaveLength(256);
    expect(r.notes[0]).toMatch(/301 request classes; only the first 256/);
    expect(r.classes[0]).toEqual(PLAIN);
  });
});

describe('gray-release diff on the command line', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-diff-'));
  const write = (dir: string, objects: Manifest[]) => {
    fs.mkdirSync(path.join(tmp, dir), { recursive: true });
    fs.writeFileSync(path.join(tmp, dir, 'app.k8s.yaml'), objects.map((o) => YAML.stringify(o)).join('---\n'));
    return path.join(tmp, dir);
  };
  const before = write('before', seed);
  const same = write('same', seed);
  const after = write('after', grayMatch());
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function run(argv: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
    const e = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      return { code: await main(argv), out };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  test('exit 0 when no routing changed, 1 when some did, 2 on error; folders or files', async () => {
    expect(await run(['diff', before, same])).toEqual({ code: 0, out: expect.stringContaining('No routing changed') });
    expect((await run(['diff', before, after])).code).toBe(1);
    expect((await run(['diff', path.join(before, 'app.k8s.yaml'), path.join(after, 'app.k8s.yaml')])).code).toBe(1);
    expect((await run(['diff', before])).code).toBe(2);
    expect((await run(['diff', before, path.join(tmp, 'missing')])).code).toBe(2);
  });

  test('--markdown for a pull-request comment, --json with the documented shape', async () => {
    expect((await run(['diff', '--markdown', before, after])).out).toContain('### mockb.default');
    const json = JSON.parse((await run(['diff', '--json', before, after])).out);
    expect(Object.keys(json).sort()).toEqual(['changed', 'compared', 'notes', 'schemaVersion']);
    expect(Object.keys(json.changed[0]).sort()).toEqual(['after', 'before', 'entry', 'group', 'request', 'state']);
  });
});
