import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceDateEpoch, writeLayer, type TarEntry } from '@mlops-actions/image';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-tar-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const longName = `${'deep/'.repeat(30)}${'n'.repeat(120)}.txt`;

function entries(): TarEntry[] {
  const bin = path.join(tmp, 'bin.dat');
  writeFileSync(bin, Buffer.alloc(70_000, 7));
  return [
    // Deliberately unsorted, parents missing: the writer must sort and add them.
    { path: 'opt/mlops/z.txt', type: 'file', source: 'zed\n' },
    { path: '/opt/mlops/bin.dat', type: 'file', source: { file: bin }, mode: 0o755 },
    { path: 'opt/mlops/a.txt', type: 'file', source: 'a\n', uid: 65532, gid: 65533 },
    { path: 'usr/local/bin/mlops', type: 'symlink', linkname: '/opt/mlops/cli/index.js' },
    { path: longName, type: 'file', source: 'long\n' },
  ];
}

interface Member {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
  linkname: string;
}

/** Python's tarfile as the independent reader. */
function pythonList(tarFile: string): Member[] {
  const script = `
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    print(json.dumps([dict(name=m.name, type=m.type.decode(), mode=m.mode, uid=m.uid, gid=m.gid,
        uname=m.uname, gname=m.gname, mtime=m.mtime, size=m.size, linkname=m.linkname) for m in t.getmembers()]))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, tarFile], { encoding: 'utf8' })) as Member[];
}

describe('reproducible tar layers', () => {
  it('writes sorted entries with fixed owners, modes and mtime that tar readers agree on', async () => {
    const layer = await writeLayer(entries(), path.join(tmp, 'a'), { mtime: 1_700_000_000 });
    const tarFile = path.join(tmp, 'a.tar');
    writeFileSync(tarFile, gunzipSync(readFileSync(layer.file)));
    const members = pythonList(tarFile);
    const names = members.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('opt');
    expect(names).toContain('opt/mlops');
    expect(names).toContain(longName);
    for (const m of members) {
      expect(m.mtime).toBe(1_700_000_000);
      expect(m.uname).toBe('');
      expect(m.gname).toBe('');
    }
    const byName = new Map(members.map((m) => [m.name, m]));
    expect(byName.get('opt/mlops/a.txt')).toMatchObject({ uid: 65532, gid: 65533, mode: 0o644, size: 2 });
    expect(byName.get('opt/mlops/bin.dat')).toMatchObject({ uid: 0, gid: 0, mode: 0o755, size: 70_000 });
    expect(byName.get('opt')).toMatchObject({ type: '5', mode: 0o755 });
    expect(byName.get('usr/local/bin/mlops')).toMatchObject({
      type: '2',
      linkname: '/opt/mlops/cli/index.js',
    });
    // GNU tar reads it too, content included.
    const listing = execFileSync('tar', ['-tvf', tarFile], { encoding: 'utf8' });
    expect(listing).toContain('0/0');
    const extracted = path.join(tmp, 'x');
    execFileSync('mkdir', ['-p', extracted]);
    execFileSync('tar', ['-xf', tarFile, '-C', extracted]);
    expect(readFileSync(path.join(extracted, longName), 'utf8')).toBe('long\n');
    expect(readFileSync(path.join(extracted, 'opt/mlops/bin.dat')).equals(Buffer.alloc(70_000, 7))).toBe(
      true,
    );
  });

  it('reports diff_id, digest and sizes that sha256sum and gzip -d agree with', async () => {
    const layer = await writeLayer(entries(), path.join(tmp, 'b'), { mtime: 0 });
    const gz = readFileSync(layer.file);
    expect(layer.digest).toBe(
      `sha256:${execFileSync('sha256sum', [layer.file], { encoding: 'utf8' }).split(' ')[0]}`,
    );
    expect(path.basename(layer.file)).toBe(layer.digest.slice(7));
    const raw = execFileSync('gzip', ['-dc', layer.file]);
    expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
    expect(layer.size).toBe(gz.length);
    expect(layer.uncompressedSize).toBe(raw.length);
    expect(raw.length % 512).toBe(0);
    // gzip header: no mtime, no name, OS byte pinned to Unix.
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[9]).toBe(3);
  });

  it('gives the same bytes for the same inputs, and different bytes when mtime changes', async () => {
    const a = await writeLayer(entries(), path.join(tmp, 'c1'), { mtime: 0 });
    const b = await writeLayer([...entries()].reverse(), path.join(tmp, 'c2'), { mtime: 0 });
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
    const c = await writeLayer(entries(), path.join(tmp, 'c3'), { mtime: 1 });
    expect(c.diffId).not.toBe(a.diffId);
  });

  it('rejects paths given twice, paths escaping the root and files under files', async () => {
    await expect(
      writeLayer(
        [
          { path: 'a', type: 'file', source: 'x' },
          { path: '/a', type: 'file', source: 'y' },
        ],
        path.join(tmp, 'd'),
      ),
    ).rejects.toThrow(/listed twice: 'a'/);
    await expect(
      writeLayer([{ path: '../etc/passwd', type: 'file', source: 'x' }], path.join(tmp, 'd')),
    ).rejects.toThrow(/escapes the root/);
    await expect(
      writeLayer(
        [
          { path: 'a', type: 'file', source: 'x' },
          { path: 'a/b', type: 'file', source: 'y' },
        ],
        path.join(tmp, 'd'),
      ),
    ).rejects.toThrow(/not a directory/);
  });

  it('reads SOURCE_DATE_EPOCH and rejects a malformed one', () => {
    expect(sourceDateEpoch({})).toBe(0);
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1733011200' })).toBe(1733011200);
    expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
