import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportMarker } from '../../packages/core/src/report/index.js';
import { upsertStickyComment } from '../../packages/github/src/index.js';
import type { CommentMode, GitHubClient } from '../../packages/github/src/index.js';
import type { FakeGitHub } from './fake-github.js';
import { PAT, client, startFake } from './helpers.js';

const ISSUE = 'acme/churn#42';
const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments';
const ONE = '/repos/{owner}/{repo}/issues/comments/{comment_id}';

function body(n: number | string): string {
  return `${reportMarker('churn')}\n\n## mlops report\n\nrun ${n}\n`;
}

function upsert(octokit: GitHubClient, b: string, mode: CommentMode = 'update', issueNumber = 42) {
  return upsertStickyComment({
    octokit,
    owner: 'acme',
    repo: 'churn',
    issueNumber,
    key: 'churn',
    body: b,
    mode,
  });
}

describe('upsertStickyComment', () => {
  let fake: FakeGitHub;
  beforeEach(async () => {
    fake = await startFake();
  });
  afterEach(async () => {
    await fake.stop();
    expect(fake.violations).toEqual([]);
  });

  it('three runs on one PR leave one comment, updated in place', async () => {
    const gh = client(fake);
    const a = await upsert(gh, body(1));
    const b = await upsert(gh, body(2));
    const c = await upsert(gh, body(3));
    expect([a.action, b.action, c.action]).toEqual(['created', 'updated', 'updated']);
    expect(b.commentId).toBe(a.commentId);
    expect(c.url).toMatch(/^https:\/\/github\.com\/acme\/churn\/pull\/42#issuecomment-\d+$/);
    const list = fake.issueComments(ISSUE);
    expect(list).toHaveLength(1);
    expect(list[0]?.body).toBe(body(3));
    expect(list[0]?.login).toBe('github-actions[bot]');
    expect(fake.count('POST', COMMENTS)).toBe(1);
    expect(fake.count('PATCH', ONE)).toBe(2);
  });

  it('does not write when the body is unchanged', async () => {
    const gh = client(fake);
    await upsert(gh, body('same'));
    const writes = () => fake.count('POST') + fake.count('PATCH') + fake.count('DELETE');
    const before = writes();
    const again = await upsert(gh, body('same').replace(/\n/g, '\r\n'));
    expect(again.action).toBe('unchanged');
    expect(writes()).toBe(before);
  });

  it('two concurrent runs converge to one comment', async () => {
    for (let pr = 100; pr < 106; pr++) {
      const [x, y] = await Promise.all([
        upsert(client(fake), body('x'), 'update', pr),
        upsert(client(fake), body('y'), 'update', pr),
      ]);
      const list = fake.issueComments(`acme/churn#${pr}`);
      expect(list, `PR ${pr}`).toHaveLength(1);
      expect([body('x'), body('y')]).toContain(list[0]?.body);
      expect([x.commentId, y.commentId]).toContain(list[0]?.id);
    }
  });

  it('recreate mode deletes ours and posts a new comment', async () => {
    const gh = client(fake);
    const first = await upsert(gh, body(1));
    const again = await upsert(gh, body(2), 'recreate');
    expect(again.action).toBe('recreated');
    expect(again.commentId).not.toBe(first.commentId);
    expect(fake.count('DELETE', ONE)).toBe(1);
    expect(fake.count('POST', COMMENTS)).toBe(2);
    expect(fake.issueComments(ISSUE).map((c) => c.body)).toEqual([body(2)]);
  });

  it('mode off makes no request at all', async () => {
    expect(await upsert(client(fake), body(1), 'off')).toEqual({ action: 'skipped' });
    expect(fake.requests).toEqual([]);
  });

  it('finds our comment on page 2 among 150 comments', async () => {
    fake.seed('acme', 'churn', 42, 120, 'octocat');
    fake.seed('acme', 'churn', 42, 1, 'github-actions[bot]', () => body('old'));
    fake.seed('acme', 'churn', 42, 29, 'hubot');
    const ours = fake.issueComments(ISSUE)[120];
    const r = await upsert(client(fake), body('new'));
    expect(r).toMatchObject({ action: 'updated', commentId: ours?.id });
    expect(
      fake.requests.some((q) => q.method === 'GET' && q.path.endsWith('/comments') && q.status === 200),
    ).toBe(true);
    expect(fake.requests.filter((q) => q.template === COMMENTS && q.method === 'GET')).toHaveLength(2);
    expect(fake.count('POST')).toBe(0);
    expect(fake.issueComments(ISSUE)).toHaveLength(150);
  });

  it("ignores another user's comment that carries our marker", async () => {
    fake.seed('acme', 'churn', 42, 1, 'mallory', () => body('spoof'));
    const r = await upsert(client(fake), body(1));
    expect(r.action).toBe('created');
    expect(fake.issueComments(ISSUE).map((c) => c.login)).toEqual(['mallory', 'github-actions[bot]']);
  });

  it('finds the identity of a personal token with GET /user', async () => {
    fake.seed('acme', 'churn', 42, 1, 'alice', () => body('mine'));
    const r = await upsert(client(fake, PAT), body('new'));
    expect(r.action).toBe('updated');
    expect(fake.count('GET', '/user')).toBe(1);
  });

  it('converges to one correct comment when a third of calls fail', async () => {
    await fake.stop();
    fake = await startFake({
      faults: { every: 3, kinds: ['500', 'slow', '502', 'secondary-403', '429'], slowMs: 600 },
    });
    // A short timeout here on purpose: 'slow' answers must be abandoned and retried. Only the
    // converged state is asserted, so extra retries on a loaded machine change nothing.
    const gh = client(fake, undefined, 5, 250);
    for (let i = 1; i <= 4; i++) await upsert(gh, body(i));
    await Promise.all([
      upsert(client(fake, undefined, 5, 250), body('p'), 'update', 7),
      upsert(client(fake, undefined, 5, 250), body('q'), 'update', 7),
    ]);
    await upsert(gh, body(5), 'recreate');
    // Let slow answers that the client abandoned drain before counting.
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.issueComments(ISSUE).map((c) => c.body)).toEqual([body(5)]);
    expect(fake.issueComments('acme/churn#7')).toHaveLength(1);
    const faults = new Set(fake.requests.map((r) => r.fault).filter(Boolean));
    expect([...faults].sort()).toEqual(['429', '500', '502', 'secondary-403', 'slow']);
    expect(fake.requests.filter((r) => r.fault).length).toBeGreaterThanOrEqual(fake.requests.length / 3 - 2);
  });

  it('talks to a GHES base URL, validated against the GHES description', async () => {
    await fake.stop();
    fake = await startFake({ spec: 'ghes-3.19', prefix: '/api/v3' });
    expect(fake.url).toMatch(/\/api\/v3$/);
    const r = await upsert(client(fake), body(1));
    expect(r.action).toBe('created');
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((q) => q.path.startsWith('/api/v3/'))).toBe(true);
  });
});
