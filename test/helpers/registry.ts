/**
 * Starts Debian's distribution registry (`/usr/bin/docker-registry`, 2.8) on a free loopback port
 * with a temporary config and storage directory, optionally with htpasswd basic auth or token auth
 * (a small token service in this process signs RS256 JWTs with an openssl-made key and cert).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestUser {
  username: string;
  password: string;
}

export interface StartRegistryOptions {
  auth?: 'none' | 'basic' | 'token';
  users?: TestUser[];
  /** Token lifetime in seconds (token auth). */
  tokenTtl?: number;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  storageDir: string;
  users: TestUser[];
  /** Token requests the token service received (scope lists), for assertions. */
  tokenRequests: { user: string | undefined; scopes: string[] }[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** bcrypt htpasswd line without apache2-utils: htpasswd if present, else python3's crypt. */
export function htpasswdLine(user: TestUser): string {
  try {
    return execFileSync('htpasswd', ['-nbB', user.username, user.password], { encoding: 'utf8' }).trim();
  } catch {
    const hash = execFileSync(
      'python3',
      [
        '-W',
        'ignore',
        '-c',
        'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
        user.password,
      ],
      { encoding: 'utf8' },
    ).trim();
    if (!hash.startsWith('$2')) throw new Error(`python3 crypt did not produce a bcrypt hash: ${hash}`);
    return `${user.username}:${hash}`;
  }
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

interface TokenService {
  url: string;
  certFile: string;
  requests: { user: string | undefined; scopes: string[] }[];
  close(): Promise<void>;
}

async function startTokenService(
  dir: string,
  users: TestUser[],
  service: string,
  issuer: string,
  ttl: number,
): Promise<TokenService> {
  const keyFile = path.join(dir, 'token.key');
  const certFile = path.join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=mlops-test-token-issuer',
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(await readFile(keyFile));
  const pem = await readFile(certFile, 'utf8');
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const requests: { user: string | undefined; scopes: string[] }[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let user: string | undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(authz.slice(6), 'base64').toString('utf8').split(':');
      const p = rest.join(':');
      if (!users.some((x) => x.username === u && x.password === p)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      user = u;
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push({ user, scopes });
    // Anonymous callers get no access; known users get what they ask for.
    const access = user
      ? scopes
          .flatMap((s) => s.split(' '))
          .filter(Boolean)
          .map((s) => {
            const parts = s.split(':');
            const actions = (parts.pop() ?? '').split(',');
            const [type, ...name] = parts;
            return { type, name: name.join(':'), actions };
          })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const headerJson = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + ttl,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(headerJson))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), key);
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}/token`,
    certFile,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function waitForRegistry(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${output()}`);
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`${url}/v2/`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.setTimeout(2000, () => req.destroy());
    });
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within 30 s: ${output()}`);
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mlops-registry-'));
  const storageDir = path.join(dir, 'storage');
  const users = options.users ?? [{ username: 'alice', password: 'correct horse' }];
  const mode = options.auth ?? 'none';
  let token: TokenService | undefined;
  let authYaml = '';
  if (mode === 'basic') {
    const file = path.join(dir, 'htpasswd');
    await writeFile(file, users.map(htpasswdLine).join('\n') + '\n');
    authYaml = `auth:\n  htpasswd:\n    realm: mlops-test\n    path: ${file}\n`;
  } else if (mode === 'token') {
    token = await startTokenService(
      dir,
      users,
      'mlops-test-registry',
      'mlops-test-issuer',
      options.tokenTtl ?? 300,
    );
    authYaml = `auth:\n  token:\n    realm: ${token.url}\n    service: mlops-test-registry\n    issuer: mlops-test-issuer\n    rootcertbundle: ${token.certFile}\n`;
  }
  let child: ChildProcess | undefined;
  let out = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const configFile = path.join(dir, 'config.yml');
    await writeFile(
      configFile,
      `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storageDir}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString('hex')}\n${authYaml}`,
    );
    out = '';
    child = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForRegistry(url, child, () => out);
    } catch (err) {
      child.kill('SIGKILL');
      if (/address already in use/.test(out) && attempt < 4) continue;
      await token?.close();
      throw err;
    }
    const proc = child;
    return {
      host: `127.0.0.1:${port}`,
      url,
      storageDir,
      users,
      tokenRequests: token?.requests ?? [],
      async stop() {
        if (proc.exitCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        await token?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`could not start docker-registry: ${out}`);
}
