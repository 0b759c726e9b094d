import { createClient } from '../../packages/github/src/index.js';
import type { GitHubClient } from '../../packages/github/src/index.js';
import { FakeGitHub } from './fake-github.js';
import type { FakeOptions } from './fake-github.js';

export const BOT_TOKEN = 'ghs_botinstallationtoken000000000000000';
export const READONLY_TOKEN = 'ghs_forkreadonlytoken00000000000000000';
export const PAT = 'ghp_alicepersonaltoken0000000000000000000';

export async function startFake(opts: FakeOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub({
    tokens: { [BOT_TOKEN]: 'github-actions[bot]', [READONLY_TOKEN]: 'github-actions[bot]', [PAT]: 'alice' },
    readOnlyTokens: [READONLY_TOKEN],
    ...opts,
  }).start();
}

/** A client with the production plugins, but waits in milliseconds instead of seconds. */
export function client(fake: FakeGitHub, token = BOT_TOKEN, retries = 5): GitHubClient {
  return createClient({
    token,
    baseUrl: fake.url,
    timeoutMs: 250,
    retries,
    retryAfterBaseMs: 5,
    writeSpacingMs: 0,
    notificationSpacingMs: 0,
  });
}
