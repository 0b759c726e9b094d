import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from '@mlops-actions/core';
import type { ModelCache } from './types.js';

const MANIFEST = 'manifest.json';
const FILES = 'files';

interface Manifest {
  version: 1;
  key: string;
  paths: string[];
}

/**
 * A cache in a local directory: entry `<dir>/<key>/` holds the files under `files/`, at their paths
 * relative to `root` (paths outside `root` go under `files/_abs/`), plus a manifest of what was saved.
 * An entry appears by one rename, so a reader never sees half an entry and two writers of the same
 * key do not corrupt each other (the second one's rename fails and its copy is discarded).
 */
export class LocalDirCache implements ModelCache {
  readonly dir: string;
  readonly root: string;

  constructor(dir: string, root: string = process.cwd()) {
    this.dir = path.resolve(dir);
    this.root = path.resolve(root);
  }

  async restore(key: string, paths: string[]): Promise<boolean> {
    const entry = this.entryDir(key);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(path.join(entry, MANIFEST), 'utf8')) as Manifest;
    } catch {
      return false;
    }
    const saved = new Set(manifest.paths);
    const wanted = paths.map((p) => path.resolve(p));
    if (!wanted.every((p) => saved.has(p))) return false;
    for (const target of wanted) {
      if (!(await pathExists(this.storedPath(entry, target)))) return false;
    }
    for (const target of wanted) await restoreOne(this.storedPath(entry, target), target);
    return true;
  }

  async save(key: string, paths: string[]): Promise<void> {
    const entry = this.entryDir(key);
    if (await pathExists(path.join(entry, MANIFEST))) return;
    await mkdir(this.dir, { recursive: true });
    const staging = path.join(this.dir, `.tmp-${key}-${randomBytes(6).toString('hex')}`);
    try {
      const absolute = paths.map((p) => path.resolve(p));
      for (const source of absolute) {
        const stored = this.storedPath(staging, source);
        await mkdir(path.dirname(stored), { recursive: true });
        await cp(source, stored, { recursive: true, preserveTimestamps: true });
      }
      const manifest: Manifest = { version: 1, key, paths: absolute };
      await writeFile(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      try {
        await rename(staging, entry);
      } catch (err) {
        // Another run saved this key between our check and the rename: its entry is as good as ours.
        if (!(await pathExists(path.join(entry, MANIFEST)))) throw err;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private entryDir(key: string): string {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(key) || key.startsWith('.')) {
      throw new Error(`cache key '${key}' is not a safe directory name (letters, digits, '.', '_', '-')`);
    }
    return path.join(this.dir, key);
  }

  private storedPath(entry: string, target: string): string {
    const rel = path.relative(this.root, target);
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      // Drive letters (`C:`) cannot appear inside a path segment on Windows.
      const flat = target.replace(/^([A-Za-z]):/, '$1').replace(/^[\\/]+/, '');
      return path.join(entry, FILES, '_abs', flat);
    }
    return path.join(entry, FILES, rel);
  }
}

/** Copy next to the target, then rename over it, so a reader never sees a half-written model. */
async function restoreOne(stored: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.mlops-restore-${randomBytes(6).toString('hex')}`;
  try {
    await cp(stored, temp, { recursive: true, preserveTimestamps: true });
    const info = await stat(temp);
    // rename() cannot replace a non-empty directory, so an old output directory goes first.
    if (info.isDirectory()) await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
