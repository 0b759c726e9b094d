import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  OciLayout,
  RegistryClient,
  copyManifest,
  dockerConfigCredentials,
  parseWwwAuthenticate,
} from '@mlops-actions/registry';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pseudoRandom, simpleImage, skopeoInspect } from './fixtures.js';

let dir: string;
let layout: OciLayout;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'auth-test-'));
  layout = await OciLayout.open(path.join(dir, 'src'));
  await layout.putManifest(await simpleImage(layout, [pseudoRandom(10 << 20, 5), 'cfg']), 'v1');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WWW-Authenticate parsing', () => {
  it('reads realm, service and scope with quoted commas', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
    );
    expect(c).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseWwwAuthenticate('Basic realm="x"')[0]?.scheme).toBe('basic');
  });
});

describe('docker config.json credentials', () => {
  it('decodes base64 auth and ignores other hosts', async () => {
    const file = path.join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        auths: {
          'registry.example:5000': { auth: Buffer.from('bob:s3:cret').toString('base64') },
          'https://other.example': { username: 'u', password: 'p' },
        },
      }),
    );
    expect(await dockerConfigCredentials('registry.example:5000', file)).toEqual({
      username: 'bob',
      password: 's3:cret',
    });
    expect(await dockerConfigCredentials('other.example', file)).toEqual({ username: 'u', password: 'p' });
    expect(await dockerConfigCredentials('nowhere.example', file)).toBeUndefined();
  });
});

for (const mode of ['basic', 'token'] as const) {
  describe(`${mode} auth against docker-registry`, () => {
    let reg: TestRegistry;
    beforeAll(async () => {
      reg = await startRegistry({ auth: mode, users: [{ username: 'alice', password: 'correct horse' }] });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('wrong password: a clear error naming the host, nothing under the tag', async () => {
      const bad = new RegistryClient(reg.host, {
        credentials: { username: 'alice', password: 'wrong' },
        dockerConfig: false,
      });
      const err = await copyManifest(layout, 'v1', bad.repository('secure/model'), { tags: ['v1'] }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toContain(reg.host);
      expect((err as Error).message).not.toContain('wrong');
      const good = new RegistryClient(reg.host, { credentials: reg.users[0], dockerConfig: false });
      expect(await good.repository('secure/model').resolve('v1')).toBeUndefined();
    });

    it('no credentials: a clear error', async () => {
      const anon = new RegistryClient(reg.host, { dockerConfig: false });
      await expect(anon.repository('secure/model').resolve('v1')).rejects.toThrow(
        new RegExp(`${reg.host}.*(credentials|username)`),
      );
    });

    it('right password (from a docker config.json): push lands, skopeo reads it with the same credentials', async () => {
      const cfg = path.join(dir, `${mode}-config.json`);
      await writeFile(
        cfg,
        JSON.stringify({
          auths: { [reg.host]: { auth: Buffer.from('alice:correct horse').toString('base64') } },
        }),
      );
      const secrets: string[] = [];
      const client = new RegistryClient(reg.host, { dockerConfig: cfg, onSecret: (s) => secrets.push(s) });
      const res = await copyManifest(layout, 'v1', client.repository('secure/model'), { tags: ['v1'] });
      expect(secrets).toContain('correct horse');
      const info = (await skopeoInspect(`docker://${reg.host}/secure/model:v1`, [
        '--creds',
        'alice:correct horse',
      ])) as { Digest: string };
      expect(info.Digest).toBe(res.descriptor.digest);
      if (mode === 'token') {
        const scopes = reg.tokenRequests.filter((r) => r.user === 'alice').flatMap((r) => r.scopes);
        expect(scopes).toContain('repository:secure/model:pull,push');
        // mount from another repository asks for pull on the source and push on the target
        const c2 = new RegistryClient(reg.host, { credentials: reg.users[0], dockerConfig: false });
        await copyManifest(c2.repository('secure/model'), 'v1', c2.repository('secure/copy'), {
          tags: ['v1'],
        });
        expect(c2.stats.mounted).toBe(3);
        const last = reg.tokenRequests.filter((r) => r.scopes.some((s) => s.includes('secure/copy')));
        expect(
          last.some(
            (r) =>
              r.scopes.includes('repository:secure/model:pull') &&
              r.scopes.includes('repository:secure/copy:pull,push'),
          ),
        ).toBe(true);
      }
    });
  });
}

describe('token refresh on expiry', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', tokenTtl: 1 });
  });
  afterAll(async () => {
    await reg?.stop();
  });
  it('fetches a new token when the cached one is about to expire', async () => {
    const client = new RegistryClient(reg.host, { credentials: reg.users[0], dockerConfig: false });
    const repo = client.repository('refresh/model');
    await copyManifest(layout, 'v1', repo, { tags: ['v1'] });
    const before = reg.tokenRequests.length;
    // A 1 s token is inside the refresh margin at once: the next request must fetch a new one.
    expect((await repo.resolve('v1'))?.digest).toBeDefined();
    expect(reg.tokenRequests.length).toBeGreaterThan(before);
  });
});
