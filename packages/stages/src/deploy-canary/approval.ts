import type { Logger } from '@mlops-actions/core';
import type { Approver } from '@mlops-actions/deploy';
import { commentApproval } from '../promote/approval.js';
import type { GitHubTarget, PromoteConfig } from '../promote/spec.js';

/** Where a paused canary asks a person: the same `/approve` comment flow promote uses. */
export interface CanaryApproval {
  comment: PromoteConfig['comment'];
  github: GitHubTarget;
  issue: number;
}

/**
 * The person a paused canary waits for (inconclusive or no-data windows beyond the limit, or a
 * `confirm` step): allowed users answer `/approve` or `/reject` on the PR; silence until the
 * timeout is a rejection, and the canary rolls back.
 */
export function canaryApprover(
  approval: CanaryApproval | undefined,
  model: string,
  target: string,
  log: Logger,
): Approver | undefined {
  if (!approval) return undefined;
  return async ({ reason, step, weight }) => {
    const { createClient } = await import('@mlops-actions/github');
    const octokit = createClient({
      token: approval.github.token,
      ...(approval.github.apiUrl ? { baseUrl: approval.github.apiUrl } : {}),
    });
    const rec = await commentApproval({
      octokit,
      gh: approval.github,
      issue: approval.issue,
      config: approval.comment,
      request: { model, digest: '', to: 'canary', registry: '' },
      ask: {
        heading: `### Canary of \`${model}\` paused at ${weight}%: continue the rollout?`,
        rows: [
          ['why', reason],
          ['step', String(step + 1)],
          ['target', target],
        ],
      },
      log,
    });
    return {
      approved: rec.decision === 'approved',
      ...(rec.by ? { by: rec.by } : {}),
      ...(rec.comment ? { reason: rec.comment } : {}),
    };
  };
}
