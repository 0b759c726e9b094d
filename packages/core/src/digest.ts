/**
 * sha256 digests of bytes, streams, files and directory trees. Every digest is lowercase hex so it
 * can be compared with `sha256sum` output and stored in plain JSON (stage results, model cards).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileDigest } from './stage-result/types.js';

export function sha256Bytes(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256Stream(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  return sha256Stream(createReadStream(file));
}

/** Digest of one file; `displayPath` is what the result records (usually relative to the spec). */
export async function fileDigest(file: string, displayPath: string = file): Promise<FileDigest> {
  const [sha256, info] = await Promise.all([sha256File(file), stat(file)]);
  return { path: displayPath, sha256, bytes: info.size };
}

/** Forward slashes on every OS, so digests and cache keys computed on Windows match Linux ones. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Every regular file under `dir`, recursively, as absolute paths sorted by their relative POSIX path
 * in code-unit order (locale-independent, so two machines list the same tree identically).
 * Symlinks are followed; a directory reached twice through links is listed once.
 */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: { rel: string; abs: string }[] = [];
  const seen = new Set<string>();
  async function walk(abs: string, rel: string): Promise<void> {
    const real = await realpath(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of await readdir(abs, { withFileTypes: true })) {
      const childAbs = path.join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const info = entry.isSymbolicLink() ? await stat(childAbs) : entry;
      if (info.isDirectory()) await walk(childAbs, childRel);
      else if (info.isFile()) out.push({ rel: childRel, abs: childAbs });
    }
  }
  await walk(dir, '');
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out.map((f) => f.abs);
}

/**
 * Digests of a file or of every file under a directory. Paths in the result are `base`-relative
 * POSIX paths (a file outside `base` keeps its absolute path).
 */
export async function digestPath(target: string, base: string): Promise<FileDigest[]> {
  const info = await stat(target);
  const files = info.isDirectory() ? await listFilesRecursive(target) : [target];
  const digests: FileDigest[] = [];
  for (const file of files) digests.push(await fileDigest(file, displayPath(file, base)));
  return digests;
}

/** One digest standing for a whole tree: sha256 over sorted `path NUL sha256 LF` lines. */
export function combineDigests(files: readonly FileDigest[]): string {
  return sha256Bytes(files.map((f) => `${f.path}\0${f.sha256}\n`).join(''));
}

export function displayPath(file: string, base: string): string {
  const rel = path.relative(base, file);
  if (rel === '') return '.';
  // `../lib/x.ts` stays relative so results and model cards do not depend on where the checkout
  // lives; only a path on another drive (no relative form) is shown absolute.
  if (path.isAbsolute(rel)) return toPosix(file);
  return toPosix(rel);
}
