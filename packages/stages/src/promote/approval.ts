/**
 * Human approval before the tag moves.
 * - environment: the job ran in a GitHub environment with required reviewers, so someone approved
 *   the run already; we record who from the run's review history
 *   (GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals).
 * - comment: for plans whose environments cannot require reviewers: post a request and wait,
 *   bounded, for `/approve` or `/reject` from the allow-list; each deciding user's repository
 *   permission is checked (GET /repos/{owner}/{repo}/collaborators/{username}/permission), teams
 *   through GET /orgs/{org}/teams/{team_slug}/memberships/{username}. Anyone else is ignored and
 *   logged. Running out of time is a failure, never an approval.
 */
import type { Logger } from '@mlops-actions/core';
import type { GitHubClient } from '@mlops-actions/github';
import type { GitHubTarget, Permission, PromoteConfig } from './spec.js';

export interface ApprovalRecord {
  method: 'environment' | 'comment' | 'none' | 'local';
  decision: 'approved' | 'rejected' | 'timeout' | 'not-required' | 'missing';
  /** Login of the approver (or rejecter). */
  by?: string;
  at?: string;
  environment?: string;
  comment?: string;
  /** Where the request was asked and answered. */
  url?: string;
  /** Comments that were not counted, with the reason. */
  ignored: { login: string; reason: string; url?: string }[];
  waitedMs?: number;
}

type Obj = Record<string, unknown>;

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** The latest approval of `environment` in the run's review history. */
export async function environmentApproval(
  octokit: GitHubClient,
  gh: GitHubTarget,
  environment: string,
): Promise<ApprovalRecord> {
  if (gh.runId === undefined) {
    return {
      method: 'environment',
      decision: 'missing',
      environment,
      ignored: [],
      comment: 'GITHUB_RUN_ID is not set',
    };
  }
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals', {
    owner: gh.owner,
    repo: gh.repo,
    run_id: gh.runId,
  });
  const reviews = (data as unknown as Obj[]).filter((r) =>
    ((r.environments as Obj[] | undefined) ?? []).some((e) => e.name === environment),
  );
  const rejected = reviews.find((r) => r.state === 'rejected');
  const approved = reviews.filter((r) => r.state === 'approved');
  const pick = approved[approved.length - 1];
  if (rejected && !pick) {
    return {
      method: 'environment',
      decision: 'rejected',
      by: String((rejected.user as Obj | undefined)?.login ?? ''),
      environment,
      ignored: [],
      ...(typeof rejected.comment === 'string' && rejected.comment ? { comment: rejected.comment } : {}),
    };
  }
  if (!pick) return { method: 'environment', decision: 'missing', environment, ignored: [] };
  const record: ApprovalRecord = {
    method: 'environment',
    decision: 'approved',
    by: String((pick.user as Obj | undefined)?.login ?? ''),
    environment,
    ignored: [],
  };
  if (typeof pick.comment === 'string' && pick.comment) record.comment = pick.comment;
  return record;
}

const RANK: Record<string, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** The user's effective permission: role_name carries maintain/triage, permission the legacy four. */
async function permissionOf(octokit: GitHubClient, gh: GitHubTarget, username: string): Promise<string> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner: gh.owner,
      repo: gh.repo,
      username,
    });
    const d = data as unknown as { permission?: string; role_name?: string };
    const a = RANK[d.permission ?? 'none'] ?? 0;
    const b = RANK[d.role_name ?? 'none'] ?? 0;
    return a >= b ? (d.permission ?? 'none') : (d.role_name ?? 'none');
  } catch (err) {
    if (statusOf(err) === 404) return 'none';
    throw err;
  }
}

async function inTeam(
  octokit: GitHubClient,
  org: string,
  team: string,
  username: string,
  log: Logger,
): Promise<boolean> {
  try {
    const { data } = await octokit.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', {
      org,
      team_slug: team,
      username,
    });
    return (data as unknown as { state?: string }).state === 'active';
  } catch (err) {
    const s = statusOf(err);
    if (s === 404) return false;
    if (s === 403) {
      log.warn(`cannot read team ${org}/${team} (HTTP 403): the token needs read:org to check team members`);
      return false;
    }
    throw err;
  }
}

/** Why `login` may not decide, or undefined when it may. */
async function disqualified(
  octokit: GitHubClient,
  gh: GitHubTarget,
  login: string,
  allow: string[],
  minPermission: Permission,
  log: Logger,
): Promise<string | undefined> {
  const lower = login.toLowerCase();
  let listed = allow.some((a) => !a.includes('/') && a.toLowerCase() === lower);
  if (!listed) {
    for (const entry of allow.filter((a) => a.includes('/'))) {
      const [org = '', team = ''] = entry.split('/');
      if (await inTeam(octokit, org, team, login, log)) {
        listed = true;
        break;
      }
    }
  }
  if (!listed) return 'not on the allow-list';
  const permission = await permissionOf(octokit, gh, login);
  if ((RANK[permission] ?? 0) < (RANK[minPermission] ?? 3)) {
    return `repository permission '${permission}' is below '${minPermission}'`;
  }
  return undefined;
}

export const REQUEST_MARKER = '<!-- mlops-actions:promote-request -->';

export interface CommentApprovalOptions {
  octokit: GitHubClient;
  gh: GitHubTarget;
  issue: number;
  config: PromoteConfig['comment'];
  /** What is asked, shown in the request comment. */
  request: { model: string; digest: string; from?: string; to: string; registry: string; runUrl?: string };
  /** Another question than a promotion (a paused canary): its heading and table rows. */
  ask?: { heading: string; rows: [string, string][] };
  log: Logger;
  /** Logins whose comments are ours (never a decision). */
  self?: string[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const DECISION = /^\s*\/(approve|reject)\b[ \t]*(.*)$/im;

export async function commentApproval(opts: CommentApprovalOptions): Promise<ApprovalRecord> {
  const { octokit, gh, issue, config, request, log } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const allowText = config.allow.map((a) => `@${a}`).join(', ');
  const rows: [string, string][] = opts.ask?.rows ?? [
    ['registry', `\`${request.registry}\``],
    ['candidate', `\`${request.digest}\``],
    [`current \`${request.to}\``, request.from ? `\`${request.from}\`` : '(none)'],
  ];
  const body = [
    REQUEST_MARKER,
    opts.ask?.heading ?? `### Promotion of \`${request.model}\` to \`${request.to}\` needs approval`,
    '',
    `| | |`,
    `| --- | --- |`,
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
    ...(request.runUrl ? [`| run | ${request.runUrl} |`] : []),
    '',
    `Reply \`/approve\` or \`/reject [reason]\`. Counted from: ${allowText} (with ${config.minPermission} permission or more). ` +
      `This request expires in ${Math.round(config.timeoutMs / 60_000) || '<1'} min; no answer means no promotion.`,
  ].join('\n');
  const started = now();
  const { data: posted } = await octokit.request(
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: issue,
      body,
    },
  );
  const requestId = posted.id;
  const requestUrl = posted.html_url;
  const self = new Set([...(opts.self ?? []), posted.user?.login ?? ''].map((s) => s.toLowerCase()));
  log.info(
    `asked for approval on #${issue}: ${requestUrl} (waiting up to ${Math.round(config.timeoutMs / 1000)} s)`,
  );
  const seen = new Set<number>();
  const ignored: ApprovalRecord['ignored'] = [];
  const checked = new Map<string, string | undefined>();
  for (;;) {
    const comments = await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: issue,
      since: posted.created_at,
      per_page: 100,
    });
    for (const c of comments) {
      if (c.id <= requestId || seen.has(c.id)) continue;
      seen.add(c.id);
      const login = c.user?.login ?? '';
      if (!login || self.has(login.toLowerCase())) continue;
      const m = DECISION.exec(c.body ?? '');
      if (!m) continue;
      const decision = m[1]!.toLowerCase() === 'approve' ? 'approved' : 'rejected';
      if (!checked.has(login)) {
        checked.set(login, await disqualified(octokit, gh, login, config.allow, config.minPermission, log));
      }
      const reason = checked.get(login);
      if (reason) {
        ignored.push({ login, reason, url: c.html_url });
        log.warn(`ignored /${m[1]} from @${login}: ${reason}`);
        continue;
      }
      const record: ApprovalRecord = {
        method: 'comment',
        decision,
        by: login,
        at: c.created_at,
        url: c.html_url,
        ignored,
        waitedMs: now() - started,
      };
      const note = (m[2] ?? '').trim();
      if (note) record.comment = note;
      log.info(`${decision === 'approved' ? 'approved' : 'rejected'} by @${login}: ${c.html_url}`);
      return record;
    }
    const left = started + config.timeoutMs - now();
    if (left <= 0) {
      log.error(
        `no /approve from ${allowText} within ${Math.round(config.timeoutMs / 1000)} s: not promoting`,
      );
      return { method: 'comment', decision: 'timeout', url: requestUrl, ignored, waitedMs: now() - started };
    }
    await sleep(Math.min(config.pollMs, left));
  }
}

/** Posts the outcome under the request (best effort: a failure here does not undo anything). */
export async function postOutcome(
  octokit: GitHubClient,
  gh: GitHubTarget,
  issue: number,
  text: string,
  log: Logger,
): Promise<void> {
  try {
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: issue,
      body: text,
    });
  } catch (err) {
    log.warn(`could not post the promotion outcome on #${issue}: ${(err as Error).message}`);
  }
}
