import { UsageError } from '@mlops-actions/core';
import { defineStage } from '../definition.js';
import type { FlagValues } from '../definition.js';
import { githubTarget } from '../promote/index.js';
import { promoteConfig } from '../promote/spec.js';
import { canaryApprover } from './approval.js';
import { deployCanarySections } from './report.js';
import { runDeployCanary } from './run.js';
import type { DeployCanaryDetails } from './run.js';
import schema from './spec.schema.json' with { type: 'json' };
import { checkDeploy, deployCanaryConfig } from './spec.js';
import type { DeployCanaryConfig, DeployCanarySettings, DeployTarget } from './spec.js';

export { runDeployCanary } from './run.js';
export type { DeployCanaryDetails, DeployCanaryOptions } from './run.js';
export { deployCanarySections } from './report.js';
export { canaryApprover } from './approval.js';
export type { CanaryApproval } from './approval.js';
export { checkDeploy, deployCanaryConfig, toChecks, toSteps } from './spec.js';
export type { DeployCanaryConfig, DeployCanarySettings, DeployTarget, RawDeploy } from './spec.js';

const TARGETS: readonly DeployTarget[] = ['local', 'kubernetes', 'argo-rollouts'];

function flag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw new UsageError(`mlops deploy-canary: --${name} needs a value`);
  return v.trim();
}

function target(where: string, v: string | undefined): DeployTarget | undefined {
  if (v === undefined) return undefined;
  if (!(TARGETS as readonly string[]).includes(v))
    throw new UsageError(`${where}: '${v}' is not one of ${TARGETS.join(', ')}`);
  return v as DeployTarget;
}

function applyMode(where: string, v: string | undefined): 'kubectl' | 'gitops' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'kubectl' && v !== 'gitops') throw new UsageError(`${where}: '${v}' is not kubectl or gitops`);
  return v;
}

export const deployCanary = defineStage<DeployCanarySettings, DeployCanaryConfig>({
  name: 'deploy-canary',
  title: 'Deploy canary',
  specKey: 'deploy',
  schema,
  check: (section) => checkDeploy(section),
  declared: (spec) => spec.sections.deploy !== undefined,
  async configure(spec, settings, ctx) {
    const config = deployCanaryConfig(spec, settings, ctx.cwd);
    // A pause asks the people promote asks, the same way (approval: comment); otherwise it rolls back.
    if (spec?.sections.promote !== undefined && settings.github) {
      const p = promoteConfig(spec, { github: settings.github }, ctx.cwd);
      const issue = p.comment.issue ?? settings.github.issue;
      if (p.approval === 'comment' && issue !== undefined) {
        config.approval = { comment: p.comment, github: settings.github, issue };
      }
    }
    return config;
  },
  run: (config, ctx) =>
    ctx.log.group(`deploy-canary: ${config.modelName} on ${config.target}`, () => {
      const approve = canaryApprover(config.approval, config.modelName, config.target, ctx.log);
      return runDeployCanary(config, ctx, approve ? { approve } : {});
    }),
  report: (result) => deployCanarySections(result),
  cli: {
    command: 'deploy-canary',
    summary: 'Roll the model out in canary steps judged on live traffic; roll back by itself on failure',
    usage: `
Usage: mlops deploy-canary [--spec mlops.yml] [--backend local|kubernetes|argo-rollouts] [--out .mlops]
                           [--model M.onnx] [--stable-model S.onnx] [--apply kubectl|gitops] [--gitops-dir DIR]

Moves traffic to the new model in the steps of deploy.canary.steps. After each step's interval it
compares canary with stable on the same window: error rate by a two-proportion test, latency by
Kayenta's judge (Mann-Whitney U with the Hodges-Lehmann shift and its 98% interval, the allowed
increase as effect size), and any PromQL query. Each check is pass, fail, inconclusive or no-data
(too few requests is no-data, never a pass). Failures beyond failure-limit roll back to 0%;
inconclusive beyond inconclusive-limit pauses for a person (without an approver: rollback).

Backends: local (default) starts stable and canary model servers behind a weighted router scraped
by a local Prometheus and sends data.eval rows as traffic; kubernetes applies Deployments, Services
and a Gateway API HTTPRoute (or ingress-nginx canary annotations) with kubectl --server-side or to
a GitOps directory; argo-rollouts sets the image on a Rollout and follows Argo's own analysis.

Writes <out>/deploy-canary.json: every step, window, check (with resolved queries and sample
sizes) and the decision, promoted or rolled-back.

Options:
  --spec FILE          the pipeline spec (default: mlops.yml)
  --out DIR            where stage results are written (default: .mlops)
  --backend NAME       overrides deploy.target
  --model FILE         the canary model (default: model.path)
  --stable-model FILE  the stable model for the local backend (default: deploy.local.stable-model)
  --apply MODE         kubernetes: kubectl (server-side apply) or gitops
  --gitops-dir DIR     kubernetes: the config repository checkout to write to
  -h, --help           show this help

Exit codes: 0 promoted, 1 rolled back, 2 bad usage or bad spec.
`,
    options: {
      backend: { type: 'string' },
      model: { type: 'string' },
      'stable-model': { type: 'string' },
      apply: { type: 'string' },
      'gitops-dir': { type: 'string' },
    },
    settings(values) {
      const s: DeployCanarySettings = {};
      const b = target('mlops deploy-canary: --backend', flag(values, 'backend'));
      if (b) s.backend = b;
      const m = flag(values, 'model');
      if (m) s.model = m;
      const sm = flag(values, 'stable-model');
      if (sm) s.stableModel = sm;
      const a = applyMode('mlops deploy-canary: --apply', flag(values, 'apply'));
      if (a) s.apply = a;
      const g = flag(values, 'gitops-dir');
      if (g) s.gitopsDir = g;
      return s;
    },
  },
  action: {
    name: 'deploy-canary',
    settings(inputs) {
      const s: DeployCanarySettings = {};
      const b = target('input backend', inputs.optional('backend'));
      if (b) s.backend = b;
      const m = inputs.path('model');
      if (m) s.model = m;
      const sm = inputs.path('stable-model');
      if (sm) s.stableModel = sm;
      const a = applyMode('input apply', inputs.optional('apply'));
      if (a) s.apply = a;
      const gh = githubTarget(inputs.optional('github-token'));
      if (gh) s.github = gh;
      const g = inputs.path('gitops-dir');
      if (g) s.gitopsDir = g;
      return s;
    },
    outputs(result) {
      const d = result.details as unknown as DeployCanaryDetails | undefined;
      return {
        decision: d?.decision ?? 'rolled-back',
        'canary-weight': d?.outcome.finalWeight ?? 0,
      };
    },
  },
});
