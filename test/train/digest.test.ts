import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  combineDigests,
  digestPath,
  listFilesRecursive,
  sha256Bytes,
  sha256File,
  sha256Stream,
} from '../../packages/core/src/digest.js';

const oracle = (data: string): string => createHash('sha256').update(data).digest('hex');

describe('digest', () => {
  it('hashes bytes, streams and files to the known sha256', async () => {
    // sha256("abc") from FIPS 180-2, appendix B.1.
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Bytes('abc')).toBe(abc);
    expect(await sha256Stream(Readable.from([Buffer.from('a'), Buffer.from('bc')]))).toBe(abc);
    const dir = await mkdtemp(path.join(tmpdir(), 'mlops-digest-'));
    await writeFile(path.join(dir, 'f'), 'abc');
    expect(await sha256File(path.join(dir, 'f'))).toBe(abc);
  });

  it('lists a tree recursively in code-unit order of relative paths', async () => {
    // '-' (0x2d) sorts before '/' (0x2f) and upper case before lower case, on every OS and locale.
    const dir = await mkdtemp(path.join(tmpdir(), 'mlops-digest-'));
    for (const rel of ['b.txt', 'B.txt', 'a/z.txt', 'a/b/c.txt', 'a-b.txt']) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), rel);
    }
    const files = (await listFilesRecursive(dir)).map((f) => path.relative(dir, f).split(path.sep).join('/'));
    expect(files).toEqual(['B.txt', 'a-b.txt', 'a/b/c.txt', 'a/z.txt', 'b.txt']);

    const digests = await digestPath(path.join(dir, 'a'), dir);
    expect(digests).toEqual([
      { path: 'a/b/c.txt', sha256: oracle('a/b/c.txt'), bytes: 9 },
      { path: 'a/z.txt', sha256: oracle('a/z.txt'), bytes: 7 },
    ]);
    expect(combineDigests(digests)).toBe(
      oracle(`a/b/c.txt\0${oracle('a/b/c.txt')}\na/z.txt\0${oracle('a/z.txt')}\n`),
    );
  });
});
