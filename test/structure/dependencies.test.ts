import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/runner.js';

const packagesDir = join(REPO_ROOT, 'packages');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Bare specifiers a file imports (static, dynamic, re-exports), as package names. */
function imported(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s*'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  for (const spec of specs) {
    if (!/^(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*(\/.*)?$/.test(spec)) continue;
    if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return [...names];
}

// Each package declares what it imports, so the graph is visible and checked (and nothing
// reaches another package through a side door).
describe('declared dependencies', () => {
  for (const name of readdirSync(packagesDir)) {
    it(`packages/${name} declares exactly what it imports`, () => {
      const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };
      const used = new Set(sources(join(packagesDir, name, 'src')).flatMap(imported));
      used.delete(manifest.name);
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      expect([...used].filter((u) => !declared.has(u)).sort(), 'imported but not declared').toEqual([]);
      expect([...declared].filter((d) => !used.has(d)).sort(), 'declared but not imported').toEqual([]);
    });
  }
});
