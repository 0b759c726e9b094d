/** The `promote` section: raw shape (kebab-case, defaults applied), settings, typed config. */
import path from 'node:path';
import { InputError, UsageError, parseDuration } from '@mlops-actions/core';
import type { SemanticIssue, Spec } from '@mlops-actions/core';
import { isDigest, isValidTag, parseReference } from '@mlops-actions/registry';

export type ApprovalMode = 'environment' | 'comment' | 'none';
export type Permission = 'write' | 'maintain' | 'admin';

export interface RawPromote {
  environment: string;
  approval: ApprovalMode;
  store: string;
  registry?: string;
  insecure: boolean;
  to: string;
  version?: string;
  require: string[];
  comment?: {
    allow?: string[];
    'min-permission'?: Permission;
    timeout?: string;
    'poll-interval'?: string;
    issue?: number;
  };
}

/** Where the action runs on GitHub: what the approval flows need. */
export interface GitHubTarget {
  token: string;
  apiUrl?: string;
  owner: string;
  repo: string;
  runId?: number;
  /** The PR of the event (comment approval asks there unless comment.issue is set). */
  issue?: number;
  actor?: string;
}

/** What `mlops promote` flags and the action's inputs change. */
export interface PromoteSettings {
  to?: string;
  rollback?: boolean;
  /** Promote this digest (already in the registry) instead of pushing spec.model.path. */
  digest?: string;
  registry?: string;
  insecure?: boolean;
  approval?: ApprovalMode;
  /** Only from the action: the runner's repository, run and token. */
  github?: GitHubTarget;
  /** Test hook and `--approval-timeout`: overrides comment.timeout. */
  timeoutMs?: number;
  pollMs?: number;
}

export interface PromoteConfig {
  specFile?: string;
  specDir: string;
  specDigest?: string;
  model: { name: string; path: string; task?: string };
  /** `oci:/abs/dir` or `host/repo`. */
  registry: string;
  /** The registry is the embedded default (a layout at `store`). */
  embedded: boolean;
  insecure: boolean;
  to: string;
  previousTag: string;
  rollback: boolean;
  digest?: string;
  version?: string;
  require: string[];
  approval: ApprovalMode;
  environment: string;
  comment: {
    allow: string[];
    minPermission: Permission;
    timeoutMs: number;
    pollMs: number;
    issue?: number;
  };
  github?: GitHubTarget;
}

export const PREVIOUS_SUFFIX = '-previous';

/** `oci:DIR` relative to the spec becomes absolute; a registry reference keeps its form, without tag. */
function normalizeRegistry(raw: string, baseDir: string, where: string): string {
  let ref;
  try {
    ref = parseReference(raw);
  } catch (err) {
    throw new InputError(`${where}: ${(err as Error).message}`);
  }
  if (ref.tag || ref.digest) {
    throw new InputError(
      `${where}: '${raw}' names a tag or digest; give the repository only (the tag is promote.to)`,
    );
  }
  if (ref.kind === 'layout') return `oci:${path.resolve(baseDir, ref.dir)}`;
  return `${ref.host}/${ref.repository}`;
}

export function checkPromote(section: unknown): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const p = section as RawPromote;
  if (p.registry !== undefined) {
    try {
      normalizeRegistry(p.registry, '.', 'promote.registry');
    } catch (err) {
      issues.push({
        path: ['promote', 'registry'],
        message: (err as Error).message.replace(/^promote\.registry: /, ''),
      });
    }
  }
  if (p.to.endsWith(PREVIOUS_SUFFIX)) {
    issues.push({
      path: ['promote', 'to'],
      message: `'${p.to}' ends in '${PREVIOUS_SUFFIX}', which promote uses for the previous digest`,
    });
  }
  if (p.approval === 'comment' && !(p.comment?.allow && p.comment.allow.length > 0)) {
    issues.push({
      path: ['promote', 'comment', 'allow'],
      message: 'approval: comment needs comment.allow: the users or org/teams who may approve',
    });
  }
  return issues;
}

export function promoteConfig(spec: Spec | undefined, settings: PromoteSettings, cwd: string): PromoteConfig {
  const raw = (spec?.sections.promote as RawPromote | undefined) ?? {
    environment: 'production',
    approval: 'environment',
    store: '.model-store',
    insecure: false,
    to: 'production',
    require: [],
  };
  const baseDir = spec?.dir ?? cwd;
  const to = settings.to ?? raw.to;
  if (!isValidTag(to) || to.endsWith(PREVIOUS_SUFFIX)) {
    throw new UsageError(
      `mlops promote: --to '${to}' is not a channel tag (letters, digits, . _ -; not ending in ${PREVIOUS_SUFFIX})`,
    );
  }
  if (settings.digest !== undefined && !isDigest(settings.digest)) {
    throw new UsageError(`mlops promote: --digest '${settings.digest}' is not sha256:<64 hex>`);
  }
  if (settings.rollback && settings.digest) {
    throw new UsageError(
      'mlops promote: --rollback restores the previous digest; do not combine it with --digest',
    );
  }
  let registry: string;
  let embedded = false;
  if (settings.registry !== undefined) registry = normalizeRegistry(settings.registry, cwd, '--registry');
  else if (raw.registry !== undefined)
    registry = normalizeRegistry(raw.registry, baseDir, `${spec?.file ?? 'mlops.yml'}: promote.registry`);
  else {
    registry = `oci:${path.resolve(baseDir, raw.store)}`;
    embedded = true;
  }
  const approval = settings.approval ?? raw.approval;
  const comment = raw.comment ?? {};
  if (approval === 'comment' && !(comment.allow && comment.allow.length > 0)) {
    throw new InputError(
      `${spec?.file ?? 'mlops.yml'}: promote.comment.allow: approval: comment needs the users or org/teams who may approve`,
    );
  }
  if (!spec && !settings.digest && !settings.rollback) {
    throw new InputError(
      'mlops promote: no spec: pass --spec mlops.yml (its model is promoted), or --digest sha256:… of a model already in the registry',
    );
  }
  const config: PromoteConfig = {
    specDir: baseDir,
    model: spec
      ? { name: spec.model.name, path: path.resolve(spec.dir, spec.model.path), task: spec.model.task }
      : { name: 'model', path: '' },
    registry,
    embedded,
    insecure: settings.insecure ?? raw.insecure,
    to,
    previousTag: `${to}${PREVIOUS_SUFFIX}`,
    rollback: settings.rollback === true,
    require: raw.require,
    approval,
    environment: raw.environment,
    comment: {
      allow: (comment.allow ?? []).map((a) => a.replace(/^@/, '')),
      minPermission: comment['min-permission'] ?? 'write',
      timeoutMs: settings.timeoutMs ?? parseDuration(comment.timeout ?? '30m'),
      pollMs: settings.pollMs ?? parseDuration(comment['poll-interval'] ?? '15s'),
      ...(comment.issue !== undefined ? { issue: comment.issue } : {}),
    },
  };
  if (spec) {
    config.specFile = spec.file;
    config.specDigest = spec.digest;
  }
  if (settings.digest) config.digest = settings.digest;
  if (raw.version) config.version = raw.version;
  if (settings.github) config.github = settings.github;
  return config;
}
