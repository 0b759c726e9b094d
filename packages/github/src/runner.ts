import { appendFile, readFile } from 'node:fs/promises';
import { InputError, runFromEnv } from '@mlops-actions/core';

// Everything that reads the GitHub runner's environment lives here, so the rest of the package
// runs the same from the CLI and in tests.

export interface PullRequestInfo {
  number: number;
  /** `owner/repo` of the head branch; differs from baseRepo for a fork. */
  headRepo?: string;
  baseRepo?: string;
  headSha?: string;
}

export interface WorkflowRunInfo {
  id: number;
  headSha: string;
  headRepo?: string;
  event?: string;
  conclusion?: string | null;
}

export interface RunEvent {
  /** `pull_request`, `pull_request_target`, `push`, `schedule`, `workflow_dispatch`, `workflow_run`… */
  name: string;
  owner: string;
  repo: string;
  sha: string;
  runUrl?: string;
  pullRequest?: PullRequestInfo;
  workflowRun?: WorkflowRunInfo;
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | undefined => (typeof x === 'object' && x !== null ? (x as Obj) : undefined);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** Builds a RunEvent from the variables and event payload file the runner provides. */
export async function readRunEvent(env: NodeJS.ProcessEnv = process.env): Promise<RunEvent> {
  const name = env.GITHUB_EVENT_NAME;
  const repository = env.GITHUB_REPOSITORY;
  if (!name || !repository) {
    throw new InputError(
      'GITHUB_EVENT_NAME and GITHUB_REPOSITORY must be set (is this running on GitHub Actions?)',
    );
  }
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) throw new InputError(`GITHUB_REPOSITORY must be owner/repo, got '${repository}'`);
  let payload: Obj = {};
  const path = env.GITHUB_EVENT_PATH;
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new InputError(
        `${path}: cannot read the event payload (GITHUB_EVENT_PATH): ${(err as Error).message}`,
        { file: path },
      );
    }
    try {
      payload = obj(JSON.parse(text)) ?? {};
    } catch (err) {
      throw new InputError(`${path}: the event payload is not valid JSON: ${(err as Error).message}`, {
        file: path,
      });
    }
  }
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const event: RunEvent = {
    name,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    runUrl: runFromEnv({ ...env, GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository })?.url,
  };
  const pr = obj(payload.pull_request);
  if (pr && typeof pr.number === 'number') {
    const head = obj(pr.head);
    const base = obj(pr.base);
    event.pullRequest = {
      number: pr.number,
      headRepo: str(obj(head?.repo)?.full_name),
      baseRepo: str(obj(base?.repo)?.full_name),
      headSha: str(head?.sha),
    };
  }
  const run = obj(payload.workflow_run);
  if (run && typeof run.id === 'number' && typeof run.head_sha === 'string') {
    event.workflowRun = {
      id: run.id,
      headSha: run.head_sha,
      headRepo: str(obj(run.head_repository)?.full_name),
      event: str(run.event),
      conclusion: str(run.conclusion) ?? null,
    };
  }
  return event;
}

/**
 * Appends to the step summary file. Returns false when there is none (outside Actions), so the
 * caller can say where the report went instead.
 */
export async function appendJobSummary(
  markdown: string,
  path = process.env.GITHUB_STEP_SUMMARY,
): Promise<boolean> {
  if (!path) return false;
  await appendFile(path, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
