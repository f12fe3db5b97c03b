/**
 * Reads manifests from YAML text, files and folders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Manifest, collectManifests } from '../model/manifest';

/** Parses multi-document YAML into manifests; skips empty documents and flattens `List`s. */
export function parseManifests(text: string, source = '<input>'): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${source}: invalid YAML: ${doc.errors[0].message}`);
    }
    collectManifests(doc.toJS(), out);
  }
  return out;
}

/** Reads YAML files, and every `.yaml`/`.yml` file under directories (sorted), into manifests. */
export function loadManifests(paths: string[]): Manifest[] {
  const out: Manifest[] = [];
  for (const p of paths) {
    for (const file of yamlFiles(p)) {
      out.push(...parseManifests(fs.readFileSync(file, 'utf8'), file));
    }
  }
  return out;
}

function yamlFiles(p: string): string[] {
  if (!fs.existsSync(p)) {
    throw new Error(`${p}: no such file or directory`);
  }
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p).sort().flatMap((n) => {
    const child = path.join(p, n);
    if (fs.statSync(child).isDirectory()) return yamlFiles(child);
    return /\.ya?ml$/.test(n) ? [child] : [];
  });
}
