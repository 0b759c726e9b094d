import type { GitHubClient } from './client.js';
import { statusOf } from './client.js';

/** The login GitHub shows for comments made with a workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

/**
 * Which login our comments carry, so the sticky comment is only ever looked for among our own.
 *
 * `GET /user` answers for personal tokens but fails (403 "Resource not accessible by
 * integration") for installation tokens, which is what GITHUB_TOKEN is. So:
 * 1. an explicit `identity` wins (a custom GitHub App posts as `<app-slug>[bot]`; an
 *    installation token cannot look that up without the app's private key);
 * 2. an installation token (`ghs_…`, reported by Octokit's auth as tokenType `installation`)
 *    is the Actions bot;
 * 3. otherwise `GET /user`; if that is refused the token is treated as the Actions bot too.
 */
export async function resolveIdentity(octokit: GitHubClient, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const auth = (await octokit.auth()) as { tokenType?: string };
  if (auth.tokenType === 'installation') return ACTIONS_BOT;
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    const status = statusOf(err);
    if (status === 401 || status === 403) return ACTIONS_BOT;
    throw err;
  }
}

export function sameLogin(a: string | undefined, b: string): boolean {
  return !!a && a.toLowerCase() === b.toLowerCase();
}
