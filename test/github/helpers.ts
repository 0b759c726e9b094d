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

/**
 * A client with the production plugins, but retry waits in milliseconds instead of seconds. The
 * request timeout stays generous: a loaded CI machine must not turn a normal answer into a retry
 * (a test that counts requests would then fail for no reason of the code's).
 */
export function client(fake: FakeGitHub, token = BOT_TOKEN, retries = 5, timeoutMs = 30_000): GitHubClient {
  return createClient({
    token,
    baseUrl: fake.url,
    timeoutMs,
    retries,
    retryAfterBaseMs: 5,
    writeSpacingMs: 0,
    notificationSpacingMs: 0,
  });
}
