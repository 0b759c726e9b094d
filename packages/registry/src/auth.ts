/**
 * Registry authentication as docker, skopeo and crane do it:
 * - credentials from options, else `~/.docker/config.json` (`auths[host].auth` base64 `user:pass`,
 *   `username`/`password`, `identitytoken`, or a `credHelpers`/`credsStore` helper program);
 * - the `WWW-Authenticate` challenge decides the scheme: `Basic` sends the credentials, `Bearer`
 *   fetches a token from `realm` for `service` and the scopes the operation needs (distribution's
 *   docs/spec/auth/token.md), cached per scope set until it expires.
 * Secrets never reach log lines; `onSecret` lets an action register them for masking.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import { header, redactUrl, send } from './http.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`), exchanged at the token realm. */
  identityToken?: string;
  /** A ready bearer token for the registry (e.g. a GitHub token for ghcr.io). */
  registryToken?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="a b"` (several challenges separated by commas). */
export function parseWwwAuthenticate(value: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  let current: Challenge | undefined;
  const skip = (chars: RegExp): void => {
    while (i < value.length && chars.test(value[i]!)) i++;
  };
  while (i < value.length) {
    skip(/[\s,]/);
    const tokenMatch = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(value.slice(i));
    if (!tokenMatch) break;
    const token = tokenMatch[0];
    i += token.length;
    skip(/\s/);
    if (value[i] === '=' && current) {
      i++;
      skip(/\s/);
      let v = '';
      if (value[i] === '"') {
        i++;
        while (i < value.length && value[i] !== '"') {
          if (value[i] === '\\') i++;
          v += value[i] ?? '';
          i++;
        }
        i++;
      } else {
        const m = /^[^,\s]*/.exec(value.slice(i));
        v = m?.[0] ?? '';
        i += v.length;
      }
      current.params[token.toLowerCase()] = v;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

interface DockerConfig {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function dockerConfigPath(): string {
  const dir = process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** Keys under which docker stores a host: `host`, `https://host`, `http://host`, with `/v1/`… */
function hostKeys(host: string): string[] {
  const keys = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  if (host === 'docker.io' || host === 'registry-1.docker.io' || host === 'index.docker.io') {
    keys.push('https://index.docker.io/v1/');
  }
  return keys;
}

/** Credentials for `host` from a docker config file (default `$DOCKER_CONFIG` or ~/.docker). */
export async function dockerConfigCredentials(
  host: string,
  configPath: string = dockerConfigPath(),
): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    return undefined;
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch (err) {
    throw new InputError(`${configPath}: invalid JSON (${(err as Error).message})`);
  }
  const keys = hostKeys(host);
  const helper = keys.map((k) => config.credHelpers?.[k]).find((h) => h !== undefined) ?? undefined;
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0)
        throw new InputError(`${configPath}: auths["${key}"].auth is not base64 of 'user:password'`);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.identitytoken) return { identityToken: entry.identitytoken, username: entry.username };
    if (entry.registrytoken) return { registryToken: entry.registrytoken };
    if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '' };
  }
  const program = helper ?? config.credsStore;
  if (program) return credentialHelper(program, host);
  return undefined;
}

function credentialHelper(name: string, host: string): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${name}`, ['get'], { timeout: 30_000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!out.Secret) return resolve(undefined);
        resolve(
          out.Username === '<token>'
            ? { identityToken: out.Secret }
            : { username: out.Username ?? '', password: out.Secret },
        );
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(host);
  });
}

/** `repository:<name>:<actions>` scopes; merges actions of the same repository. */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const s of scope.split(' ').filter(Boolean)) {
      const last = s.lastIndexOf(':');
      if (last < 0) continue;
      const resource = s.slice(0, last);
      const set = byResource.get(resource) ?? new Set<string>();
      for (const a of s
        .slice(last + 1)
        .split(',')
        .filter(Boolean))
        set.add(a);
      byResource.set(resource, set);
    }
  }
  return [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
}

export class AuthError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Answers challenges for one registry host. Holds at most one token per scope set and refreshes
 * it shortly before its `expires_in` runs out (distribution's default lifetime is 60 s).
 */
export class Authenticator {
  private tokens = new Map<string, CachedToken>();
  private challenge: Challenge | undefined;
  private credsPromise: Promise<Credentials | undefined> | undefined;
  private pending = new Map<string, Promise<CachedToken>>();

  constructor(
    readonly host: string,
    private readonly options: {
      credentials?: Credentials;
      dockerConfig?: string | false;
      onSecret?: (secret: string) => void;
    } = {},
  ) {}

  private credentials(): Promise<Credentials | undefined> {
    // One lookup shared by concurrent requests (parallel blob uploads all start unauthenticated).
    this.credsPromise ??= (async () => {
      const creds =
        this.options.credentials ??
        (this.options.dockerConfig === false
          ? undefined
          : await dockerConfigCredentials(this.host, this.options.dockerConfig));
      for (const secret of [creds?.password, creds?.identityToken, creds?.registryToken]) {
        if (secret) this.options.onSecret?.(secret);
      }
      return creds;
    })();
    return this.credsPromise;
  }

  /** Records the challenge of a 401 so later requests authenticate up front. */
  setChallenge(value: string | undefined): void {
    if (!value) return;
    const parsed = parseWwwAuthenticate(value);
    this.challenge = parsed.find((c) => c.scheme === 'bearer') ?? parsed.find((c) => c.scheme === 'basic');
  }

  get hasChallenge(): boolean {
    return this.challenge !== undefined;
  }

  /** Drops cached tokens for `scopes` (after a 401 with a token that looked valid). */
  invalidate(scopes: readonly string[]): void {
    this.tokens.delete(mergeScopes(scopes).join(' '));
  }

  /** The Authorization header for a request needing `scopes`, or undefined before any challenge. */
  async authorization(scopes: readonly string[]): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials();
    if (ch.scheme === 'basic') {
      if (!creds?.username) {
        throw new AuthError(
          `${this.host}: the registry asks for a username and password and none is configured (pass credentials or run 'docker login ${this.host}')`,
        );
      }
      return `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    }
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const wanted = mergeScopes([...scopes, ...(ch.params.scope ? [ch.params.scope] : [])]);
    const key = wanted.join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    // Concurrent requests needing the same scopes share one token request.
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(ch, wanted, creds).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(
    ch: Challenge,
    scopes: string[],
    creds: Credentials | undefined,
  ): Promise<CachedToken> {
    const realm = ch.params.realm;
    if (!realm) throw new AuthError(`${this.host}: Bearer challenge without a realm`);
    const url = new URL(realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { accept: 'application/json' };
    let method = 'GET';
    let body: Buffer | undefined;
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant (token.md's oauth flow), as docker does for identity tokens.
      method = 'POST';
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        service: ch.params.service ?? '',
        scope: scopes.join(' '),
        client_id: 'mlops-actions',
      });
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (creds?.username) {
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    }
    const target = method === 'POST' ? realm : url.toString();
    const res = await send({ method, url: target, headers, body });
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(
        `${this.host}: the token service ${redactUrl(realm)} refused ${creds?.username ? `user '${creds.username}'` : 'anonymous access'} for ${scopes.join(' ')} (HTTP ${res.status}); check the username and password`,
      );
    }
    if (res.status !== 200) {
      throw new AuthError(
        `${this.host}: token service ${redactUrl(realm)} answered HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`,
      );
    }
    let parsed: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      parsed = JSON.parse(res.body.toString('utf8')) as typeof parsed;
    } catch {
      throw new AuthError(`${this.host}: token service ${redactUrl(realm)} answered non-JSON`);
    }
    const token = parsed.token ?? parsed.access_token;
    if (!token)
      throw new AuthError(`${this.host}: token service response has neither 'token' nor 'access_token'`);
    this.options.onSecret?.(token);
    // token.md: expires_in defaults to 60 s; refresh 10% (at least 5 s) early.
    const lifetimeMs =
      (typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60) * 1000;
    return { token, expiresAt: Date.now() + lifetimeMs - Math.max(5000, lifetimeMs * 0.1) };
  }
}

export { header };
