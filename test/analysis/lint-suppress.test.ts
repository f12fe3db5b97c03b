/**
 * Lint you can live with: a finding that is intended is suppressed where a reviewer sees it (the
 * gray-release.io/lint-ignore annotation on the object, with a reason, written by ignoreLint) or
 * on the command line (--ignore); a malformed suppression suppresses nothing and is an error.
 */
import { App, Chart } from 'cdk8s';
import { fixture } from './helpers';
import { GrayReleaseError, GrayService, IngressGateway, ignoreLint } from '../../src';
import { Manifest, lint, lintReport, parseLintIgnore } from '../../src/analysis';
import { main } from '../../src/cli/main';

const ANNOTATION = 'gray-release.io/lint-ignore';

/** The shop fixture with `value` as the reviews VirtualService's lint-ignore annotation. */
function annotated(value: string): Manifest[] {
  const m = fixture('explain/shop.yaml');
  const reviews = m.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews')!;
  return m.map((o) => (o === reviews ? { ...o, metadata: { ...o.metadata, annotations: { [ANNOTATION]: value } } } : o));
}

describe('the annotation', () => {
  test('GR009 on an application-set header (end-user) is reported until the object says why it is intended', () => {
    expect(lint(fixture('explain/shop.yaml')).map((f) => `${f.code} ${f.object.name}`)).toEqual(['GR009 reviews']);
    const report = lintReport(annotated('GR009: end-user is set by productpage after login'));
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([expect.objectContaining({ code: 'GR009', suppressed: { by: 'annotation', reason: 'end-user is set by productpage after login' } })]);
  });

  test('several codes in one entry and several entries; spaces around codes are fine', () => {
    expect(parseLintIgnore(' GR009 , GR015 : a reason ; GR002: another')).toEqual({
      entries: [{ codes: ['GR009', 'GR015'], reason: 'a reason' }, { codes: ['GR002'], reason: 'another' }], problems: [],
    });
    expect(lintReport(annotated('GR001,GR009: both intended')).suppressed.map((f) => f.code)).toEqual(['GR009']);
  });

  test.each([
    ['no reason', 'GR009', /has no ": reason"/],
    ['an empty reason', 'GR009:  ', /gives no reason/],
    ['a malformed code', 'gr9: because', /is not a lint code \(GR followed by three digits\)/],
    ['an unknown code', 'GR999: because', /GR999 is not a lint code/],
    ['GR019 itself', 'GR019: because', /GR019 cannot be suppressed/],
  ])('%s suppresses nothing and is GR019 (an error)', (_what, value, message) => {
    const findings = lint(annotated(value));
    expect(findings.map((f) => f.code).sort()).toEqual(['GR009', 'GR019']);
    const gr019 = findings.find((f) => f.code === 'GR019')!;
    expect(gr019).toMatchObject({ severity: 'error', object: { name: 'reviews' } });
    expect(gr019.message).toMatch(message);
  });

  test('a suppression applies to the object it is on, not to others', () => {
    const m = annotated('GR009: intended');
    const ratings = m.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'ratings')!;
    (ratings.spec as { http: object[] }).http.unshift({ match: [{ headers: { 'x-beta': { exact: '1' } } }], route: [{ destination: { host: 'ratings', subset: 'v2' } }] });
    expect(lint(m).map((f) => `${f.code} ${f.object.name}`)).toEqual(['GR009 ratings']);
  });
});

describe('ignoreLint writes the annotation from the constructs', () => {
  function synth(configure: (s: GrayService) => void): Manifest[] {
    const app = new App();
    const chart = new Chart(app, 'shop', { disableResourceNameHashes: true });
    const gateway = new IngressGateway(chart, 'gw', { hosts: ['shop.example.com'] });
    const web = new GrayService(chart, 'web', { image: 'example/web:1', port: 80, gateway, release: { matches: [{ name: 'x-lane', value: 'canary' }] } });
    configure(web);
    return require('yaml').parseAllDocuments(app.synthYaml()).map((d: { toJS(): Manifest }) => d.toJS()).filter(Boolean);
  }

  test('GR016 (testers send the header) is suppressed with its reason; every object of the service carries it', () => {
    expect(lint(synth(() => undefined)).map((f) => f.code)).toEqual(['GR016']);
    const objects = synth((web) => {
      web.ignoreLint('GR016', 'only testers send x-lane, behind the VPN');
      ignoreLint(web, ['GR009', 'GR002'], 'second entry');
    });
    expect(lintReport(objects)).toMatchObject({ findings: [], suppressed: [{ code: 'GR016', suppressed: { reason: 'only testers send x-lane, behind the VPN' } }] });
    const value = 'GR016: only testers send x-lane, behind the VPN; GR009,GR002: second entry';
    for (const kind of ['Deployment', 'Service', 'DestinationRule', 'VirtualService', 'TrafficRouting', 'Rollout']) {
      expect(objects.filter((o) => o.kind === kind).map((o) => o.metadata.annotations?.[ANNOTATION])).toEqual(expect.arrayContaining([value]));
    }
  });

  test.each([
    ['a malformed code', 'G9', 'why', /codes: "G9" is not a lint code/],
    ['no code', [], 'why', /codes: no lint code given/],
    ['an empty reason', 'GR009', '  ', /reason: .* is not a reason a reviewer can read/],
    ['a reason with ";"', 'GR009', 'a; b', /reason: "a; b" contains ";" or a line break/],
  ])('%s is refused at construction, with the path, prop and fix', (_what, codes, reason, message) => {
    expect(() => synth((web) => web.ignoreLint(codes as string, reason))).toThrow(GrayReleaseError);
    expect(() => synth((web) => web.ignoreLint(codes as string, reason))).toThrow(message);
    expect(() => synth((web) => web.ignoreLint(codes as string, reason))).toThrow(/\[shop\/web\].*Fix: /s);
  });
});

describe('gray-release lint --ignore, --show-suppressed; rules', () => {
  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
    try {
      return { code: await main(argv), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }
  const f = (n: string) => `${__dirname}/../fixtures/${n}`;

  test('--ignore turns an error off (exit 0) and says how many were suppressed', async () => {
    expect((await run(['lint', f('lint/GR001.yaml')])).code).toBe(1);
    const r = await run(['lint', '--ignore', 'GR001', f('lint/GR001.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/suppressed finding\(s\) not shown \(--show-suppressed\)/);
    expect((await run(['lint', '--ignore=GR001', '--show-suppressed', f('lint/GR001.yaml')])).out).toContain('error (suppressed: --ignore)');
  });

  test('--ignore of an unknown code is bad usage (exit 2)', async () => {
    expect((await run(['lint', '--ignore', 'GR999', f('lint/GR001.yaml')]))).toMatchObject({ code: 2, err: expect.stringContaining('GR999: not a lint code') });
  });

  test('rules is in --help and works without a path; an unknown flag is bad usage', async () => {
    expect((await run(['--help'])).out).toMatch(/\n {2}rules +the lint codes/);
    const rules = await run(['rules']);
    expect(rules.code).toBe(0);
    for (const code of ['GR001', 'GR016', 'GR017', 'GR019', 'GR102']) expect(rules.out).toContain(code);
    expect((await run(['rules', '--frobnicate'])).code).toBe(2);
    expect((await run(['explain', '--frobnicate', f('full-link-gray')])).code).toBe(2);
  });
});

test('docs/cli.md documents every command and every flag the command line takes', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { COMMANDS } = require('../../src/cli/commands') as typeof import('../../src/cli/commands');
  const doc = require('fs').readFileSync(`${__dirname}/../../docs/cli.md`, 'utf8') as string;
  for (const c of COMMANDS) {
    expect(doc).toContain(`## ${c.name}`);
    for (const f of c.flags) expect(doc).toContain(`\`${f.alias ? `${f.alias}, ` : ''}${f.name}`);
  }
});
