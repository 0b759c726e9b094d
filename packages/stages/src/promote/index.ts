import { UsageError } from '@mlops-actions/core';
import { defineStage } from '../definition.js';
import type { FlagValues } from '../definition.js';
import { promoteSection } from './report.js';
import { runPromote } from './run.js';
import type { PromoteDetails } from './run.js';
import schema from './spec.schema.json' with { type: 'json' };
import { checkPromote, promoteConfig } from './spec.js';
import type { ApprovalMode, GitHubTarget, PromoteConfig, PromoteSettings } from './spec.js';

export { runPromote } from './run.js';
export type { AuditRecord, GateRecord, PromoteDetails } from './run.js';
export { promoteConfig, checkPromote, PREVIOUS_SUFFIX } from './spec.js';
export type { ApprovalMode, GitHubTarget, PromoteConfig, PromoteSettings, RawPromote } from './spec.js';
export { commentApproval, environmentApproval, REQUEST_MARKER } from './approval.js';
export type { ApprovalRecord } from './approval.js';
export { moveChannel, rollbackChannel, verifyModel } from './channel.js';
export { promoteSection } from './report.js';
export { modelRegistryResolver } from './baseline.js';

const APPROVALS: readonly ApprovalMode[] = ['environment', 'comment', 'none'];

function optString(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw new UsageError(`mlops promote: --${name} needs a value`);
  return v.trim();
}

/** The runner's repository, run, PR and token, for the approval flows (action only). */
export function githubTarget(token: string | undefined): GitHubTarget | undefined {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!token || !owner || !repo) return undefined;
  const target: GitHubTarget = { token, owner, repo };
  if (process.env.GITHUB_API_URL) target.apiUrl = process.env.GITHUB_API_URL;
  const runId = Number(process.env.GITHUB_RUN_ID);
  if (Number.isInteger(runId) && runId > 0) target.runId = runId;
  if (process.env.GITHUB_ACTOR) target.actor = process.env.GITHUB_ACTOR;
  const pr = /^refs\/pull\/(\d+)\//.exec(process.env.GITHUB_REF ?? '');
  if (pr) target.issue = Number(pr[1]);
  return target;
}

export const promote = defineStage<PromoteSettings, PromoteConfig>({
  name: 'promote',
  title: 'Promote',
  specKey: 'promote',
  schema,
  check: (section) => checkPromote(section),
  declared: (spec) => spec.sections.promote !== undefined,
  configure: async (spec, settings, ctx) => promoteConfig(spec, settings, ctx.cwd),
  run: (config, ctx) =>
    ctx.log.group(`promote: ${config.rollback ? 'rollback' : config.model.name} → ${config.to}`, () =>
      runPromote(config, ctx),
    ),
  report: (result) => [{ id: 'promote', markdown: promoteSection(result) }],
  cli: {
    command: 'promote',
    summary: 'Move the production tag in the model registry to the verified model, after approval',
    usage: `
Usage: mlops promote [--spec mlops.yml] [--to production] [--rollback] [--digest sha256:...]
                     [--registry REF] [--insecure] [--approval environment|comment|none] [--out .mlops]

Pushes the spec's model to the model registry as a CNCF ModelPack artifact (with its model card
and evaluation result attached as referrers), verifies it by digest (manifest, artifact type,
weights; the weights must be the model evaluate measured), asks for approval, then moves the
channel tag (promote.to, default production) to that digest. The digest the tag named before is
kept as <to>-previous. An audit record (who, when, run, digests, stage results) is attached to
the model as a referrer.

Every stage result in --out must not have failed; promote.require lists results that must exist.

The registry is promote.registry (oci:DIR or HOST[:PORT]/REPO); without one, the embedded OCI
layout at promote.store (default .model-store).

On this machine approval is given by running the command; on GitHub it is the environment's
required reviewers (approval: environment) or an /approve comment (approval: comment).

Options:
  --spec FILE        the pipeline spec (default: mlops.yml)
  --to TAG           channel tag to move (default: promote.to, production)
  --rollback         restore <to>-previous as <to> in one step (swaps the two tags)
  --digest DIGEST    promote this model manifest digest, already in the registry
  --registry REF     model repository (overrides promote.registry)
  --insecure         plain HTTP to the registry
  --approval MODE    override promote.approval
  --out DIR          results directory (default: .mlops)
  -h, --help         show this help

Writes <out>/promote.json: from/to digests, previous, approver, audit reference.
Exit codes: 0 promoted (or already there), 1 blocked (a stage failed, approval rejected or timed
out), 2 bad usage or bad input (nothing to roll back to, model missing, registry refused).
`,
    options: {
      to: { type: 'string' },
      rollback: { type: 'boolean' },
      digest: { type: 'string' },
      registry: { type: 'string' },
      insecure: { type: 'boolean' },
      approval: { type: 'string' },
    },
    standalone: (values) => values.rollback === true && typeof values.registry === 'string',
    settings(values) {
      const s: PromoteSettings = {};
      const to = optString(values, 'to');
      const digest = optString(values, 'digest');
      const registry = optString(values, 'registry');
      const approval = optString(values, 'approval');
      if (to) s.to = to;
      if (digest) s.digest = digest;
      if (registry) s.registry = registry;
      if (values.rollback === true) s.rollback = true;
      if (values.insecure === true) s.insecure = true;
      if (approval) {
        if (!APPROVALS.includes(approval as ApprovalMode)) {
          throw new UsageError(
            `mlops promote: --approval must be one of ${APPROVALS.join(', ')}, got '${approval}'`,
          );
        }
        s.approval = approval as ApprovalMode;
      }
      return s;
    },
  },
  action: {
    name: 'promote',
    settings(inputs) {
      const s: PromoteSettings = {};
      const to = inputs.optional('to');
      const digest = inputs.optional('digest');
      const registry = inputs.optional('registry');
      const insecure = inputs.optionalBoolean('insecure');
      if (to) s.to = to;
      if (digest) s.digest = digest;
      if (registry) s.registry = registry;
      if (insecure !== undefined) s.insecure = insecure;
      if (inputs.boolean('rollback', false)) s.rollback = true;
      const approval = inputs.optional('approval');
      if (approval) s.approval = inputs.choice('approval', APPROVALS, 'environment');
      const timeout = inputs.number('approval-timeout-minutes', { min: 0 });
      if (timeout !== undefined) s.timeoutMs = timeout * 60_000;
      const gh = githubTarget(inputs.optional('github-token'));
      if (gh) s.github = gh;
      return s;
    },
    outputs(result) {
      const d = (result.details ?? {}) as Partial<PromoteDetails>;
      return {
        digest: d.to ?? '',
        'previous-digest': d.previous ?? '',
        changed: d.changed === true,
        approver: d.approval?.by ?? '',
        'audit-ref': d.audit?.reference ?? '',
        'model-ref': d.model?.reference ?? '',
      };
    },
  },
});
