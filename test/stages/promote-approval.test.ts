import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger, Spec } from '@mlops-actions/core';
import { createClient, type GitHubClient } from '@mlops-actions/github';
import { ARTIFACT_TYPE_PROMOTION_AUDIT, OciLayout, readReferrers } from '@mlops-actions/registry';
import type { StageContext } from '@mlops-actions/stages';
import {
  REQUEST_MARKER,
  commentApproval,
  environmentApproval,
  promote,
  type PromoteConfig,
  type PromoteDetails,
  type RawPromote,
} from '../../packages/stages/src/promote/index.js';
import { FakeGitHub } from '../github/fake-github.js';
import { FakeGitHubPromote } from '../github/fake-github-promote.js';

const BOT = 'ghs_botinstallationtoken000000000000000';
const TOKENS: Record<string, string> = {
  [BOT]: 'github-actions[bot]',
  ghp_alice000000000000000000000000000000000: 'alice',
  ghp_bob00000000000000000000000000000000000: 'bob',
  ghp_mallory0000000000000000000000000000000: 'mallory',
  ghp_dave000000000000000000000000000000000: 'dave',
};
const tokenOf = (login: string) => Object.entries(TOKENS).find(([, l]) => l === login)![0];
const gh = { owner: 'acme', repo: 'churn', token: BOT, runId: 4242 };

let inner: FakeGitHub;
let fake: FakeGitHubPromote;
let dir: string;
let issue = 100;

beforeAll(async () => {
  inner = await new FakeGitHub({ tokens: TOKENS }).start();
  fake = await new FakeGitHubPromote(inner, {
    permissions: { alice: 'write', bob: 'read', dave: 'maintain', mallory: 'write' },
    teams: { 'acme/ml-leads': ['dave'] },
    approvals: {
      4242: [
        { environment: 'staging', state: 'approved', login: 'zed' },
        { environment: 'production', state: 'approved', login: 'carol', comment: 'lgtm' },
      ],
      4343: [{ environment: 'production', state: 'rejected', login: 'carol', comment: 'not today' }],
    },
  }).start();
  dir = await mkdtemp(path.join(tmpdir(), 'promote-approval-'));
});
afterAll(async () => {
  await fake?.stop();
  await inner?.stop();
  await rm(dir, { recursive: true, force: true });
});

function octokit(token = BOT): GitHubClient {
  return createClient({
    token,
    baseUrl: fake.url,
    timeoutMs: 5000,
    retries: 2,
    retryAfterBaseMs: 5,
    writeSpacingMs: 0,
    notificationSpacingMs: 0,
  });
}

const lines: string[] = [];
const log: Logger = {
  info: (m) => lines.push(m),
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  group: (_n, fn) => fn(),
};

/** Waits (bounded) until our request comment is on the issue. */
async function requestPosted(n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!inner.issueComments(`acme/churn#${n}`).some((c) => c.body.includes(REQUEST_MARKER))) {
    if (Date.now() > deadline) throw new Error('no approval request was posted');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function say(login: string, n: number, body: string): Promise<void> {
  await octokit(tokenOf(login)).request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: 'acme',
    repo: 'churn',
    issue_number: n,
    body,
  });
}

const commentConfig = (allow: string[], timeoutMs = 60_000): PromoteConfig['comment'] => ({
  allow,
  minPermission: 'write',
  timeoutMs,
  pollMs: 30,
});

const request = { model: 'churn', digest: `sha256:${'a'.repeat(64)}`, to: 'production', registry: 'oci:/x' };

describe('approval by comment', () => {
  it('counts only allowed users with write permission; others are ignored and logged', async () => {
    const n = ++issue;
    const pending = commentApproval({
      octokit: octokit(),
      gh,
      issue: n,
      config: commentConfig(['alice', 'bob']),
      request,
      log,
    });
    await requestPosted(n);
    await say('mallory', n, '/approve');
    await say('bob', n, '/approve please');
    await say('alice', n, 'looks fine\n/approve');
    const rec = await pending;
    expect(rec).toMatchObject({ method: 'comment', decision: 'approved', by: 'alice' });
    expect(rec.ignored).toEqual([
      expect.objectContaining({ login: 'mallory', reason: 'not on the allow-list' }),
      expect.objectContaining({ login: 'bob', reason: "repository permission 'read' is below 'write'" }),
    ]);
    expect(lines.some((l) => /ignored \/approve from @mallory/.test(l))).toBe(true);
    expect(fake.allViolations()).toEqual([]);
  });

  it('accepts a member of an allowed team (membership and permission checked through the API)', async () => {
    const n = ++issue;
    const pending = commentApproval({
      octokit: octokit(),
      gh,
      issue: n,
      config: commentConfig(['acme/ml-leads']),
      request,
      log,
    });
    await requestPosted(n);
    await say('dave', n, '/approve');
    expect(await pending).toMatchObject({ decision: 'approved', by: 'dave' });
    expect(
      fake.requests.some((r) => r.path === '/orgs/acme/teams/ml-leads/memberships/dave' && r.status === 200),
    ).toBe(true);
    expect(fake.allViolations()).toEqual([]);
  });

  it('a /reject from an allowed user rejects, with the reason', async () => {
    const n = ++issue;
    const pending = commentApproval({
      octokit: octokit(),
      gh,
      issue: n,
      config: commentConfig(['alice']),
      request,
      log,
    });
    await requestPosted(n);
    await say('alice', n, '/reject latency regressed');
    expect(await pending).toMatchObject({ decision: 'rejected', by: 'alice', comment: 'latency regressed' });
  });

  it('no answer in time is a failure, never an approval', async () => {
    const n = ++issue;
    const rec = await commentApproval({
      octokit: octokit(),
      gh,
      issue: n,
      config: commentConfig(['alice'], 200),
      request,
      log,
    });
    expect(rec.decision).toBe('timeout');
    expect(rec.by).toBeUndefined();
  });
});

describe('approval by environment', () => {
  it('records the approver of the environment from the run review history', async () => {
    const rec = await environmentApproval(octokit(), gh, 'production');
    expect(rec).toMatchObject({ method: 'environment', decision: 'approved', by: 'carol', comment: 'lgtm' });
    expect((await environmentApproval(octokit(), { ...gh, runId: 4343 }, 'production')).decision).toBe(
      'rejected',
    );
    expect((await environmentApproval(octokit(), { ...gh, runId: 9999 }, 'production')).decision).toBe(
      'missing',
    );
    expect(fake.allViolations()).toEqual([]);
  });
});

describe('the promote stage with GitHub approvals', () => {
  function spec(project: string, section: Partial<RawPromote>): Spec {
    const sdir = path.join(dir, project);
    return {
      version: 1,
      project,
      model: { name: project, path: 'model.onnx', task: 'binary-classification' },
      report: { title: project, comment: 'update', key: project, maxSlices: 5 },
      sections: {
        promote: {
          environment: 'production',
          approval: 'none',
          store: '.model-store',
          insecure: false,
          to: 'production',
          require: [],
          ...section,
        },
      },
      file: path.join(sdir, 'mlops.yml'),
      dir: sdir,
      digest: '0'.repeat(64),
    };
  }
  async function run(s: Spec, github: Record<string, unknown>) {
    await mkdir(s.dir, { recursive: true });
    await copyFile(
      path.resolve('examples/breast-cancer/baseline/model.onnx'),
      path.join(s.dir, 'model.onnx'),
    );
    const ctx: StageContext = {
      log,
      resultsDir: path.join(s.dir, '.mlops'),
      cwd: s.dir,
      host: 'github',
      cache: undefined as never,
    };
    const config = await promote.configure(
      s,
      { github: { ...gh, apiUrl: fake.url, ...github }, pollMs: 30 },
      ctx,
    );
    const result = await promote.run(config, ctx);
    return {
      result,
      details: result.details as unknown as PromoteDetails,
      layout: await OciLayout.open(path.join(s.dir, '.model-store')),
    };
  }

  it('approval: comment → approved by alice: the tag moves and the audit names her', async () => {
    const n = ++issue;
    const s = spec('comment-ok', { approval: 'comment', comment: { allow: ['alice'], timeout: '1m' } });
    const pending = run(s, { issue: n });
    await requestPosted(n);
    await say('alice', n, '/approve');
    const { result, details, layout } = await pending;
    expect(result.status).toBe('passed');
    expect(details.approval).toMatchObject({ method: 'comment', by: 'alice' });
    expect((await layout.resolve('production'))?.digest).toBe(details.to);
    const [audit] = await readReferrers(layout, details.to!, ARTIFACT_TYPE_PROMOTION_AUDIT);
    expect(JSON.parse(audit!.content.toString('utf8')).approval.by).toBe('alice');
    // the outcome is posted under the request
    expect(inner.issueComments(`acme/churn#${n}`).at(-1)?.body).toMatch(/Approved by @alice/);
    expect(fake.allViolations()).toEqual([]);
  });

  it('approval: environment without a recorded approval fails and moves nothing', async () => {
    const s = spec('env-missing', { approval: 'environment' });
    const { result, details, layout } = await run(s, { runId: 9999 });
    expect(result.status).toBe('failed');
    expect(details.blocked).toMatch(/no approval of environment 'production'/);
    expect(await layout.resolve('production')).toBeUndefined();
  });

  it('approval: environment with the run approved records the reviewer', async () => {
    const s = spec('env-ok', { approval: 'environment' });
    const { result, details } = await run(s, {});
    expect(result.status).toBe('passed');
    expect(details.approval).toMatchObject({ method: 'environment', by: 'carol' });
    expect(fake.allViolations()).toEqual([]);
  });
});

describe('a paused canary asks the same people', () => {
  it('an allowed /approve resumes the rollout; silence until the timeout is a rejection', async () => {
    const { canaryApprover } = await import('../../packages/stages/src/deploy-canary/index.js');
    const n = ++issue;
    const approval = { comment: commentConfig(['alice']), github: { ...gh, apiUrl: fake.url }, issue: n };
    const approve = canaryApprover(approval, 'churn', 'local', log)!;
    const pending = approve({ reason: 'latency inconclusive at 25% (2 windows)', step: 1, weight: 25 });
    await requestPosted(n);
    const asked = inner.issueComments(`acme/churn#${n}`).find((c) => c.body.includes(REQUEST_MARKER))!;
    expect(asked.body).toContain('Canary of `churn` paused at 25%: continue the rollout?');
    expect(asked.body).toContain('| why | latency inconclusive at 25% (2 windows) |');
    await say('mallory', n, '/approve');
    await say('alice', n, '/approve');
    await expect(pending).resolves.toMatchObject({ approved: true, by: 'alice' });

    const m = ++issue;
    const quiet = canaryApprover(
      { comment: commentConfig(['alice'], 300), github: { ...gh, apiUrl: fake.url }, issue: m },
      'churn',
      'local',
      log,
    )!;
    await expect(quiet({ reason: 'no-data', step: 0, weight: 5 })).resolves.toMatchObject({
      approved: false,
    });
    expect(fake.allViolations()).toEqual([]);
  });
});
