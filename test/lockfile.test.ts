/**
 * Property: `npm ci` can install from the committed package-lock.json on a fresh clone. npm ci
 * refuses a lockfile that is out of sync with package.json, or that lacks an entry for a
 * dependency some locked package declares, optional platform packages included (the first
 * round's lockfile lacked the optional `@unrs/resolver-binding-*` entries: "Missing: ... from
 * lock file", npm/cli#9846). Checked here from the two files, in milliseconds; .ci/run runs the
 * real `npm ci` in a fresh clone.
 *
 * When this fails: in a fresh clone (no node_modules), run `npm install` and commit the lockfile.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

interface LockedPackage {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly link?: boolean;
}
interface Lockfile { readonly lockfileVersion: number; readonly packages: Record<string, LockedPackage> }

/** Where node would find `name` from the package at `at` (`node_modules/a/node_modules/b`): the nearest node_modules up the tree. */
function resolveFrom(lock: Lockfile, at: string, name: string): string | undefined {
  let dir = at;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/** The dependencies of locked packages that have no entry of their own. */
export function missingEntries(lock: Lockfile): string[] {
  const missing: string[] = [];
  for (const [at, pkg] of Object.entries(lock.packages)) {
    if (pkg.link) continue;
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...(at === '' ? pkg.devDependencies : {}) };
    for (const name of Object.keys(deps)) {
      if (!resolveFrom(lock, at, name)) missing.push(`${name} (needed by ${at || 'the project'})`);
    }
  }
  return missing.sort();
}

describe('package-lock.json', () => {
  const lock: Lockfile = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  test('is in sync with package.json', () => {
    const root = lock.packages[''];
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      expect({ field, locked: root[field] ?? {} }).toEqual({ field, locked: pkg[field] ?? {} });
    }
  });

  test('has an entry for every dependency of every locked package, optional platform packages included', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(missingEntries(lock)).toEqual([]);
    // the packages that were missing once are there
    expect(Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/@unrs/resolver-binding-')).length).toBeGreaterThan(10);
  });

  test('the check itself reports a removed optional entry', () => {
    const key = Object.keys(lock.packages).find((p) => p.startsWith('node_modules/@unrs/resolver-binding-'))!;
    const { [key]: _removed, ...rest } = lock.packages;
    expect(missingEntries({ ...lock, packages: rest })).toEqual([expect.stringContaining(key.replace('node_modules/', ''))]);
  });
});
