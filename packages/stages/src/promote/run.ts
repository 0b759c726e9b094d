/**
 * The promote stage: check the earlier stages' results, push (or find) the model artifact, verify
 * it, get the approval, move the channel tag by digest, keep the previous digest, and attach an
 * audit record to the model. `rollback` restores `<channel>-previous` in one step.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  InputError,
  StageClock,
  pathExists,
  readStageResults,
  runFromEnv,
  sha256File,
  writeStageResult,
} from '@mlops-actions/core';
import type { StageResult } from '@mlops-actions/core';
import {
  ARTIFACT_TYPE_EVALUATION,
  ARTIFACT_TYPE_MODEL_CARD,
  ARTIFACT_TYPE_PROMOTION_AUDIT,
  OciLayout,
  attachReferrer,
  openStore,
  pushModel,
  type OciStore,
  type OpenStoreOptions,
  type ResolvedModel,
} from '@mlops-actions/registry';
import type { StageContext } from '../context.js';
import { readGitInfo } from '../git.js';
import { commentApproval, environmentApproval, postOutcome, type ApprovalRecord } from './approval.js';
import { moveChannel, rollbackChannel, swapChannel, verifyModel, type ChannelMove } from './channel.js';
import type { PromoteConfig } from './spec.js';

export interface GateRecord {
  stage: string;
  status: string;
  summary: string;
  required: boolean;
  /** Gates that failed in that stage. */
  failed: string[];
}

export interface AuditRecord {
  schemaVersion: 1;
  action: 'promote' | 'rollback';
  at: string;
  actor: string;
  registry: string;
  channel: string;
  from: string | null;
  to: string;
  previous: string | null;
  changed: boolean;
  model: { name: string; weights: string; filepath: string };
  approval: ApprovalRecord;
  run: { id?: string; url?: string; workflow?: string } | null;
  git: { commit?: string; dirty?: boolean };
  gates: GateRecord[];
  image?: PromoteDetails['image'];
}

export interface PromoteDetails {
  action: 'promote' | 'rollback';
  registry: string;
  channel: string;
  previousTag: string;
  from: string | null;
  to: string | null;
  previous: string | null;
  changed: boolean;
  /** Tag the model artifact was pushed under (promote from a model file). */
  version?: string;
  model?: { name: string; digest: string; weights: string; reference: string };
  approval?: ApprovalRecord;
  gates: GateRecord[];
  audit?: { digest: string; reference: string };
  /** The model-server image of image.json, moved along with the model. */
  image?: {
    location: string;
    from: string | null;
    to: string | null;
    previous: string | null;
    changed: boolean;
  };
  /** Why nothing moved (failed status). */
  blocked?: string;
}

function actorName(config: PromoteConfig): string {
  return config.github?.actor ?? process.env.GITHUB_ACTOR ?? os.userInfo().username;
}

async function gateRecords(
  config: PromoteConfig,
  resultsDir: string,
): Promise<{ gates: GateRecord[]; blocked?: string }> {
  const results = (await readStageResults(resultsDir)).filter((r) => r.stage !== 'promote');
  const gates: GateRecord[] = results.map((r) => ({
    stage: r.stage,
    status: r.status,
    summary: r.summary,
    required: config.require.includes(r.stage),
    failed: r.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.gate}: ${v.reason}`),
  }));
  const missing = config.require.filter((s) => !results.some((r) => r.stage === s));
  if (missing.length) {
    return { gates, blocked: `required stage result(s) missing in ${resultsDir}: ${missing.join(', ')}` };
  }
  const bad = gates.filter(
    (g) => g.status === 'failed' || g.status === 'error' || (g.required && g.status !== 'passed'),
  );
  if (bad.length)
    return { gates, blocked: `${bad.map((g) => `${g.stage} ${g.status}`).join(', ')}: not promoting` };
  return { gates };
}

/** The evaluated model's weights digest, when evaluate ran: promote must move exactly that model. */
async function evaluatedWeights(resultsDir: string): Promise<{ digest?: string; file?: string }> {
  const file = path.join(resultsDir, 'evaluate.json');
  if (!(await pathExists(file))) return {};
  const r = JSON.parse(await readFile(file, 'utf8')) as StageResult;
  return { ...(r.model?.sha256 ? { digest: `sha256:${r.model.sha256}` } : {}), file };
}

function registryOptions(config: PromoteConfig, log: StageContext['log']): OpenStoreOptions {
  return {
    // false means "not forced": loopback registries stay plain HTTP.
    ...(config.insecure ? { insecure: true } : {}),
    log,
    // On a runner, every registry password or token is masked in the log (workflow command).
    ...(process.env.GITHUB_ACTIONS === 'true'
      ? { onSecret: (s: string) => process.stdout.write(`::add-mask::${s}\n`) }
      : {}),
  };
}

interface BuiltImage {
  location: string;
  digest: string;
  modelSha256?: string;
}

/** The image build-image wrote (image.json), when it ran and passed. */
async function builtImage(resultsDir: string): Promise<BuiltImage | undefined> {
  const file = path.join(resultsDir, 'image.json');
  if (!(await pathExists(file))) return undefined;
  const r = JSON.parse(await readFile(file, 'utf8')) as StageResult;
  const d = r.details as
    { image?: { location?: string; digest?: string }; model?: { sha256?: string } } | undefined;
  if (r.status !== 'passed' || !d?.image?.location || !d.image.digest) return undefined;
  return {
    location: d.image.location,
    digest: d.image.digest,
    ...(d.model?.sha256 ? { modelSha256: d.model.sha256 } : {}),
  };
}

async function moveImage(
  image: BuiltImage,
  config: PromoteConfig,
  log: StageContext['log'],
  rollback: boolean,
): Promise<PromoteDetails['image']> {
  const { store } = await openStore(image.location, { ...registryOptions(config, log), create: false });
  const move = rollback
    ? await swapChannel(store, config.to, config.previousTag)
    : await (async () => {
        const found = await store.getManifest(image.digest);
        if (!found)
          throw new InputError(
            `image ${image.location}@${image.digest} (from image.json) is not in its store`,
          );
        return moveChannel(
          store,
          { digest: image.digest, descriptor: found.descriptor },
          config.to,
          config.previousTag,
        );
      })();
  if (!move) {
    log.warn(`image ${image.location}: no '${config.previousTag}' tag, the image stays where it is`);
    return undefined;
  }
  log.info(`image ${image.location}: ${config.to} → ${move.to}`);
  return {
    location: image.location,
    from: move.from ?? null,
    to: move.to,
    previous: move.previous ?? null,
    changed: move.changed,
  };
}

async function versionTag(config: PromoteConfig): Promise<string> {
  if (config.version) return config.version;
  const git = await readGitInfo(config.specDir);
  if (git.commit && !git.dirty) return `git-${git.commit.slice(0, 12)}`;
  return `m-${(await sha256File(config.model.path)).slice(0, 12)}`;
}

async function getApproval(
  config: PromoteConfig,
  ctx: StageContext,
  request: { digest: string; from?: string },
): Promise<ApprovalRecord> {
  if (config.approval === 'none') return { method: 'none', decision: 'not-required', ignored: [] };
  if (ctx.host === 'local' || !config.github) {
    if (ctx.host === 'github') {
      throw new InputError(
        `promote: approval: ${config.approval} needs the github-token input (the token of the run)`,
      );
    }
    const by = os.userInfo().username;
    ctx.log.warn(
      `approval: ${config.approval} happens on GitHub; on this machine the person running mlops promote (${by}) approves`,
    );
    return { method: 'local', decision: 'approved', by, at: new Date().toISOString(), ignored: [] };
  }
  const { createClient } = await import('@mlops-actions/github');
  const octokit = createClient({
    token: config.github.token,
    ...(config.github.apiUrl ? { baseUrl: config.github.apiUrl } : {}),
  });
  if (config.approval === 'environment') {
    const rec = await environmentApproval(octokit, config.github, config.environment);
    if (rec.decision === 'approved')
      ctx.log.info(`environment '${config.environment}' approved by @${rec.by}`);
    return rec;
  }
  const issue = config.comment.issue ?? config.github.issue;
  if (issue === undefined) {
    throw new InputError(
      'promote: approval: comment needs an issue or pull request to ask on: set promote.comment.issue, or run on a pull_request event',
    );
  }
  const run = runFromEnv();
  const rec = await commentApproval({
    octokit,
    gh: config.github,
    issue,
    config: config.comment,
    request: {
      model: config.model.name,
      digest: request.digest,
      ...(request.from ? { from: request.from } : {}),
      to: config.to,
      registry: config.registry,
      ...(run?.url ? { runUrl: run.url } : {}),
    },
    log: ctx.log,
  });
  const outcome =
    rec.decision === 'approved'
      ? `Approved by @${rec.by}: promoting \`${request.digest}\` to \`${config.to}\`.`
      : rec.decision === 'rejected'
        ? `Rejected by @${rec.by}${rec.comment ? `: ${rec.comment}` : ''}. Not promoting.`
        : 'No approval in time. Not promoting.';
  await postOutcome(octokit, config.github, issue, outcome, ctx.log);
  return rec;
}

/** Keeps `<store>/<tag>/model.onnx` in step with the layout's tags, for readers of the plain store layout. */
async function mirrorPlainStore(config: PromoteConfig, store: OciStore, ctx: StageContext): Promise<void> {
  if (!config.embedded || !(store instanceof OciLayout)) return;
  for (const tag of [config.to, config.previousTag]) {
    const desc = await store.resolve(tag);
    if (!desc) continue;
    try {
      const model = await verifyModel(store, desc.digest, path.join(ctx.resultsDir, 'cache', 'models'));
      await mkdir(path.join(store.dir, tag), { recursive: true });
      await copyFile(model.localPath, path.join(store.dir, tag, 'model.onnx'));
    } catch (err) {
      ctx.log.warn(`could not mirror ${tag} into ${store.dir}/${tag}/model.onnx: ${(err as Error).message}`);
    }
  }
}

async function attachAudit(
  store: OciStore,
  model: ResolvedModel,
  audit: AuditRecord,
): Promise<{ digest: string; reference: string }> {
  const desc = await attachReferrer(store, model.descriptor, {
    artifactType: ARTIFACT_TYPE_PROMOTION_AUDIT,
    content: JSON.stringify(audit, null, 2),
    filename: `${audit.action}-${audit.channel}.json`,
    annotations: {
      'org.opencontainers.image.created': audit.at,
      'io.mlops-actions.audit.action': audit.action,
      'io.mlops-actions.audit.channel': audit.channel,
      'io.mlops-actions.audit.actor': audit.actor,
    },
  });
  return { digest: desc.digest, reference: `${store.location}@${desc.digest}` };
}

function summaryOf(d: PromoteDetails): string {
  const short = (x: string | null | undefined) => (x ? x.slice(0, 19) : 'none');
  if (d.blocked)
    return `${d.action === 'rollback' ? 'rollback' : 'promotion'} to ${d.channel} blocked: ${d.blocked}`;
  if (!d.changed) return `${d.channel} already at ${short(d.to)}: nothing moved`;
  const by = d.approval?.by ? ` (approved by ${d.approval.by})` : '';
  return d.action === 'rollback'
    ? `rolled ${d.channel} back from ${short(d.from)} to ${short(d.to)}`
    : `promoted ${short(d.to)} to ${d.channel}${by}; previous ${short(d.previous)}`;
}

export async function runPromote(config: PromoteConfig, ctx: StageContext): Promise<StageResult> {
  const clock = new StageClock('promote');
  const log = ctx.log;
  const cacheDir = path.join(ctx.resultsDir, 'cache', 'models');
  const { store } = await openStore(config.registry, { ...registryOptions(config, log), create: true });
  const action = config.rollback ? 'rollback' : 'promote';
  const details: PromoteDetails = {
    action,
    registry: config.registry,
    channel: config.to,
    previousTag: config.previousTag,
    from: null,
    to: null,
    previous: null,
    changed: false,
    gates: [],
  };
  const finish = async (status: 'passed' | 'failed', model?: ResolvedModel): Promise<StageResult> => {
    const result = clock.finish({
      status,
      summary: summaryOf(details),
      ...(config.specDigest ? { specDigest: config.specDigest } : {}),
      ...(model
        ? { model: { name: config.model.name, sha256: model.weightDigest.slice(7), path: model.localPath } }
        : {}),
      values: {
        promoted: {
          candidate: status === 'passed' && details.changed ? 1 : 0,
          unit: 'count',
          direction: 'neutral',
        },
        ...(details.approval?.waitedMs !== undefined
          ? {
              approval_wait: {
                candidate: details.approval.waitedMs,
                unit: 'ms',
                direction: 'lower-is-better',
              },
            }
          : {}),
      },
      artifacts: details.audit ? [{ name: 'promotion-audit', url: details.audit.reference }] : [],
      details: details as unknown as Record<string, unknown>,
    });
    await writeStageResult(ctx.resultsDir, result);
    return result;
  };

  if (config.rollback) {
    const current = await store.resolve(config.to);
    const { move, restored } = await clock.phase('move', () =>
      rollbackChannel(store, config.to, config.previousTag, cacheDir),
    );
    applyMove(details, move);
    details.model = modelInfo(restored, config.model.name);
    const rbImage = await builtImage(ctx.resultsDir);
    if (rbImage) {
      const moved = await moveImage(rbImage, config, log, true);
      if (moved) details.image = moved;
    }
    details.approval = {
      method: 'none',
      decision: 'not-required',
      by: actorName(config),
      at: new Date().toISOString(),
      ignored: [],
    };
    details.audit = await attachAudit(
      store,
      restored,
      auditRecord(
        config,
        details,
        restored,
        'rollback',
        current?.digest ?? null,
        await readGitInfo(config.specDir),
      ),
    );
    await mirrorPlainStore(config, store, ctx);
    log.info(summaryOf(details));
    return finish('passed', restored);
  }

  const { gates, blocked } = await gateRecords(config, ctx.resultsDir);
  details.gates = gates;
  if (blocked) {
    details.blocked = blocked;
    log.error(blocked);
    return finish('failed');
  }

  const evaluated = await evaluatedWeights(ctx.resultsDir);
  let digest = config.digest;
  if (!digest) {
    const version = await versionTag(config);
    const git = await readGitInfo(config.specDir);
    const pushed = await clock.phase('push', () =>
      pushModel(store, {
        modelPath: config.model.path,
        name: config.model.name,
        version,
        ...(git.commit ? { revision: git.commit } : {}),
        annotations: config.model.task ? { 'io.mlops-actions.model.task': config.model.task } : {},
      }),
    );
    details.version = version;
    digest = pushed.descriptor.digest;
    log.info(`model ${config.model.name} pushed as ${store.location}:${version} (${digest})`);
    const card = path.join(path.dirname(config.model.path), 'model-card.json');
    if (await pathExists(card)) {
      await attachReferrer(store, pushed.descriptor, {
        artifactType: ARTIFACT_TYPE_MODEL_CARD,
        content: { file: card },
        mediaType: 'application/json',
        filename: 'model-card.json',
      });
    }
    if (evaluated.file) {
      await attachReferrer(store, pushed.descriptor, {
        artifactType: ARTIFACT_TYPE_EVALUATION,
        content: { file: evaluated.file },
        filename: 'evaluate.json',
      });
    }
  }
  const candidate = await clock.phase('verify', () => verifyModel(store, digest, cacheDir, evaluated.digest));
  details.model = modelInfo(candidate, config.model.name);
  const image = await builtImage(ctx.resultsDir);
  if (image?.modelSha256 && `sha256:${image.modelSha256}` !== candidate.weightDigest) {
    details.blocked = `image.json's image carries model sha256:${image.modelSha256.slice(0, 12)}…, not the promoted ${candidate.weightDigest.slice(0, 19)}: rebuild the image or promote with --digest`;
    log.error(details.blocked);
    return finish('failed', candidate);
  }
  const current = await store.resolve(config.to);
  if (current?.digest === candidate.digest) {
    details.from = current.digest;
    details.to = current.digest;
    details.previous = (await store.resolve(config.previousTag))?.digest ?? null;
    details.approval = {
      method: config.approval === 'none' ? 'none' : 'local',
      decision: 'not-required',
      ignored: [],
    };
    log.info(summaryOf(details));
    return finish('passed', candidate);
  }

  const approval = await clock.phase('approval', () =>
    getApproval(config, ctx, { digest: candidate.digest, ...(current ? { from: current.digest } : {}) }),
  );
  details.approval = approval;
  if (approval.decision !== 'approved' && approval.decision !== 'not-required') {
    details.blocked =
      approval.decision === 'rejected'
        ? `rejected by @${approval.by}${approval.comment ? `: ${approval.comment}` : ''}`
        : approval.decision === 'timeout'
          ? `no approval within ${Math.round(config.comment.timeoutMs / 1000)} s`
          : `no approval of environment '${config.environment}' in this run's review history (give the environment required reviewers, or use approval: comment)`;
    log.error(details.blocked);
    return finish('failed', candidate);
  }
  const move = await clock.phase('move', () => moveChannel(store, candidate, config.to, config.previousTag));
  applyMove(details, move);
  if (image) {
    const moved = await moveImage(image, config, log, false);
    if (moved) details.image = moved;
  }
  details.audit = await attachAudit(
    store,
    candidate,
    auditRecord(
      config,
      details,
      candidate,
      'promote',
      current?.digest ?? null,
      await readGitInfo(config.specDir),
    ),
  );
  await mirrorPlainStore(config, store, ctx);
  log.info(summaryOf(details));
  return finish('passed', candidate);
}

function applyMove(details: PromoteDetails, move: ChannelMove): void {
  details.from = move.from ?? null;
  details.to = move.to;
  details.previous = move.previous ?? null;
  details.changed = move.changed;
}

function modelInfo(m: ResolvedModel, name: string): NonNullable<PromoteDetails['model']> {
  return { name, digest: m.digest, weights: m.weightDigest, reference: m.reference };
}

function auditRecord(
  config: PromoteConfig,
  details: PromoteDetails,
  model: ResolvedModel,
  action: 'promote' | 'rollback',
  from: string | null,
  git: { commit?: string; dirty?: boolean },
): AuditRecord {
  const run = runFromEnv();
  return {
    schemaVersion: 1,
    action,
    at: new Date().toISOString(),
    actor: actorName(config),
    registry: config.registry,
    channel: config.to,
    from,
    to: model.digest,
    previous: details.previous,
    changed: details.changed,
    model: { name: config.model.name, weights: model.weightDigest, filepath: model.filepath },
    approval: details.approval ?? { method: 'none', decision: 'not-required', ignored: [] },
    run: run ?? null,
    git,
    gates: details.gates,
    ...(details.image ? { image: details.image } : {}),
  };
}
