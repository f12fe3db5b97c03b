/**
 * GrayReleaseValidation against cdk8s-cli's own ValidationContext and report (the classes synth
 * uses): violations for findings that count, failure on errors, success with warnings listed,
 * suppressed findings left out. The pack-install-synth test (test/argocd/app-repo.test.ts) runs
 * it through the real `cdk8s synth`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// Types only (erased): the plugin's structural types must fit cdk8s-cli's interface.
import type { Validation, ValidationContext as CliContext } from 'cdk8s-cli/lib/plugins/validation';
import { GrayReleaseValidation } from '../../src/plugin';
import { FIXTURES } from '../analysis/helpers';

// cdk8s-cli's runtime export of the context (package exports "./plugins").
const { ValidationContext } = require('cdk8s-cli/plugins') as { ValidationContext: new (manifests: string[], pkg: string, version: string) => CliContext };

async function validate(files: string[], props?: object): Promise<CliContext> {
  const plugin: Validation = new GrayReleaseValidation(props as never);
  const context = new ValidationContext(files, 'cdk8s-gray-release', '0.0.0');
  await plugin.validate(context);
  return context;
}

describe('the cdk8s-cli validation plugin', () => {
  test('an error fails the report; each finding is a violation naming the object, its file and the suppression to use', async () => {
    const file = path.join(FIXTURES, 'lint', 'GR001.yaml');
    const context = await validate([file]);
    expect(context.report.success).toBe(false);
    const json = context.report.toJson();
    expect(json.summary.metadata).toMatchObject({ errors: '1' });
    expect(json.violations[0]).toMatchObject({
      ruleName: expect.stringMatching(/^GR001 \(error\): route to a subset/),
      violatingConstructs: [expect.objectContaining({ resourceName: expect.any(String), manifestPath: file, locations: [expect.stringMatching(/^VirtualService\//)] })],
      fix: expect.stringContaining('gray-release.io/lint-ignore: "GR001: <why>"'),
    });
  });

  test('warnings are listed and the report succeeds (failOn: error), or fails with failOn: warning', async () => {
    const file = path.join(FIXTURES, 'lint', 'GR016.yaml');
    const ok = await validate([file]);
    expect(ok.report.success).toBe(true);
    expect(ok.report.toJson().violations.map((v) => v.ruleName.slice(0, 5))).toEqual(['GR016']);
    expect((await validate([file], { failOn: 'warning' })).report.success).toBe(false);
  });

  test('clean manifests succeed with no violation; ignore and the annotation leave findings out', async () => {
    const clean = await validate(fs.readdirSync(path.join(FIXTURES, 'full-link-gray')).map((f) => path.join(FIXTURES, 'full-link-gray', f)));
    expect(clean.report.success).toBe(true);
    expect(clean.report.toJson().violations).toEqual([]);
    const ignored = await validate([path.join(FIXTURES, 'lint', 'GR001.yaml')], { ignore: ['GR001'] });
    expect(ignored.report.success).toBe(true);
    expect(ignored.report.toJson().summary.metadata).toMatchObject({ suppressed: '1' });
  });

  test('properties are checked: a wrong one stops synth with a message', () => {
    expect(() => new GrayReleaseValidation({ failOn: 'never' } as never)).toThrow(/failOn: error \| warning/);
    expect(() => new GrayReleaseValidation({ ignore: ['GR999'] })).toThrow(/ignore: a list of lint codes/);
  });

  test('a manifest the YAML reader refuses is an error of the plugin (synth exits non-zero)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-plugin-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'a: [');
    await expect(validate([bad])).rejects.toThrow(/invalid YAML/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
