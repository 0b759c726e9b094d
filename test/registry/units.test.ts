import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OciLayout,
  formatReference,
  mergeScopes,
  parseReference,
  redactUrl,
  retryAfterMs,
} from '@mlops-actions/registry';
import { simpleImage } from './fixtures.js';

describe('references', () => {
  it('parses docker and skopeo forms', () => {
    expect(parseReference('ubuntu')).toEqual({
      kind: 'registry',
      host: 'docker.io',
      repository: 'library/ubuntu',
    });
    expect(parseReference('localhost:5000/models/churn:production')).toEqual({
      kind: 'registry',
      host: 'localhost:5000',
      repository: 'models/churn',
      tag: 'production',
    });
    const d = `sha256:${'b'.repeat(64)}`;
    expect(parseReference(`ghcr.io/org/m@${d}`)).toMatchObject({
      host: 'ghcr.io',
      repository: 'org/m',
      digest: d,
    });
    expect(parseReference('docker://ghcr.io/org/m:v1')).toMatchObject({ host: 'ghcr.io', tag: 'v1' });
    expect(parseReference('oci:/tmp/x:v1')).toEqual({ kind: 'layout', dir: '/tmp/x', tag: 'v1' });
    expect(parseReference(`oci:rel/dir@${d}`)).toEqual({ kind: 'layout', dir: 'rel/dir', digest: d });
    expect(parseReference('oci:rel/dir')).toEqual({ kind: 'layout', dir: 'rel/dir' });
    expect(formatReference(parseReference('oci:/tmp/x:v1'))).toBe('oci:/tmp/x:v1');
    expect(() => parseReference('ghcr.io/Org/M')).toThrow(/lowercase/);
    expect(() => parseReference('ghcr.io/org/m:bad!tag')).toThrow(/invalid tag/);
  });

  it('merges token scopes per repository', () => {
    expect(mergeScopes(['repository:a:pull', 'repository:b:pull,push', 'repository:a:push'])).toEqual([
      'repository:a:pull,push',
      'repository:b:pull,push',
    ]);
  });

  it('reads Retry-After as seconds or a date, and redacts signed upload state', () => {
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4000)).toBe(6000);
    expect(retryAfterMs({})).toBeUndefined();
    expect(redactUrl('http://u:p@h/v2/x/blobs/uploads/1?_state=abc&digest=sha256:1')).toBe(
      'http://h/v2/x/blobs/uploads/1?_state=REDACTED&digest=sha256%3A1',
    );
  });
});

describe('OCI layout across processes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'layout-procs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('two processes tagging the same layout at once: every tag lands', async () => {
    const layoutDir = path.join(dir, 'shared');
    const layout = await OciLayout.open(layoutDir);
    const m = await simpleImage(layout, ['shared']);
    const desc = await layout.putManifest(m);
    const script = `
      import { OciLayout } from ${JSON.stringify(path.resolve('packages/registry/src/index.ts'))};
      const [dir, descJson, prefix] = process.argv.slice(-3);
      const layout = await OciLayout.open(dir);
      const desc = JSON.parse(descJson);
      for (let i = 0; i < 40; i++) await layout.tag(prefix + i, desc);
    `;
    const run = (prefix: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script, layoutDir, JSON.stringify(desc), prefix],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`child ${prefix} exited ${code}: ${err}`)),
        );
      });
    await Promise.all([run('a'), run('b')]);
    const tags = await layout.listTags();
    expect(tags).toHaveLength(80);
  });
});
