import type { Logger } from '@mlops-actions/core';
import { silentLogger } from '@mlops-actions/core';
import type { Approver, CanaryEvent, CanaryOutcome } from '../analysis/run.js';
import type { Applier } from './apply.js';
import { rollout, rolloutServices } from './manifests.js';
import type { K8sObject, KubernetesConfig, RolloutConfig } from './manifests.js';

interface RolloutStatus {
  phase?: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
  message?: string;
  abort?: boolean;
  currentStepIndex?: number;
  observedGeneration?: string | number;
  pauseConditions?: { reason: string; startTime?: string }[] | null;
  canary?: { currentStepAnalysisRunStatus?: { name?: string; status?: string; message?: string } };
}

export interface ArgoRolloutsOptions {
  config: KubernetesConfig;
  rollout: RolloutConfig;
  applier: Applier;
  /** Extra objects applied with the Rollout (an AnalysisTemplate). */
  extra?: K8sObject[];
  approve?: Approver;
  log?: Logger;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * The argo-rollouts backend: Argo drives steps and AnalysisRuns itself. We apply the Rollout with
 * the new image (server-side, idempotent), then follow `status`: Healthy on the new template is
 * promoted, Degraded or aborted is rolled back. A pause Argo cannot end by itself (an indefinite
 * pause step, or inconclusive analysis) goes to the approver; approval is Argo's "promote" (clear
 * `status.pauseConditions`), anything else its "abort" (`status.abort: true`).
 */
export async function followArgoRollout(options: ArgoRolloutsOptions): Promise<CanaryOutcome> {
  const { applier, config } = options;
  const log = options.log ?? silentLogger;
  const obj = rollout(config, options.rollout);
  const events: CanaryEvent[] = [];
  const out: CanaryOutcome = {
    decision: 'rolled-back',
    reason: '',
    backend: 'argo-rollouts',
    finalWeight: 0,
    failures: 0,
    inconclusive: 0,
    analyses: [],
    events,
    approvals: [],
  };
  const event = (kind: CanaryEvent['kind'], detail: string, step?: number) => {
    events.push({ at: new Date().toISOString(), kind, detail, ...(step !== undefined ? { step } : {}) });
    log.info(`[${kind}] ${detail}`);
  };
  await applier.apply([...rolloutServices(config), ...(options.extra ?? []), obj]);
  event('prepare', `Rollout ${config.namespace}/${config.name} set to ${config.image}`);
  if (applier.mode === 'gitops') {
    out.reason = 'written to the GitOps directory; Argo Rollouts runs the steps after the controller syncs';
    return out;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  const asked = new Set<string>();
  let lastStep = -1;
  const stepWeight = (i: number | undefined) => {
    let w = 0;
    for (const s of options.rollout.steps.slice(0, (i ?? 0) + 1)) if ('setWeight' in s) w = s.setWeight;
    return w;
  };
  for (;;) {
    const live = await applier.get(obj);
    const status = (live?.status ?? {}) as RolloutStatus;
    if (status.currentStepIndex !== undefined && status.currentStepIndex !== lastStep) {
      lastStep = status.currentStepIndex;
      out.finalWeight = stepWeight(lastStep);
      event(
        'weight',
        `Argo at step ${lastStep + 1}/${options.rollout.steps.length} (${out.finalWeight}%)`,
        lastStep,
      );
    }
    if (status.abort || status.phase === 'Degraded') {
      out.decision = 'rolled-back';
      out.finalWeight = 0;
      out.reason = `Argo Rollouts aborted the rollout: ${status.message ?? status.canary?.currentStepAnalysisRunStatus?.message ?? status.phase}`;
      event('rollback', out.reason);
      return out;
    }
    const generationSeen =
      Number(status.observedGeneration ?? -1) >=
      Number((live?.metadata as { generation?: number } | undefined)?.generation ?? 0);
    if (
      status.phase === 'Healthy' &&
      generationSeen &&
      (status.currentStepIndex ?? 0) >= options.rollout.steps.length
    ) {
      out.decision = 'promoted';
      out.finalWeight = 100;
      out.reason = 'Argo Rollouts completed every step; the new version is stable';
      event('promote', out.reason);
      return out;
    }
    const pause = status.phase === 'Paused' ? status.pauseConditions?.[0] : undefined;
    const key = pause ? `${pause.reason}@${status.currentStepIndex ?? -1}` : '';
    const indefinite =
      pause &&
      (pause.reason === 'InconclusiveAnalysis' ||
        isIndefinitePause(options.rollout, status.currentStepIndex));
    if (pause && indefinite && !asked.has(key)) {
      asked.add(key);
      if (pause.reason === 'InconclusiveAnalysis') out.inconclusive++;
      const reason = `Argo Rollouts paused (${pause.reason}) at step ${(status.currentStepIndex ?? 0) + 1}`;
      const answer = options.approve
        ? await options.approve({ reason, step: status.currentStepIndex ?? 0, weight: out.finalWeight })
        : { approved: false, reason: 'no approver configured' };
      out.approvals.push({ step: status.currentStepIndex ?? 0, ...answer });
      event(
        'approval',
        `${answer.approved ? 'approved' : 'rejected'}${answer.by ? ` by ${answer.by}` : ''}: ${reason}`,
        status.currentStepIndex,
      );
      // Argo's own promote and abort are status patches (what `kubectl argo rollouts` sends).
      await applier.patchStatus?.(
        obj,
        answer.approved ? { status: { pauseConditions: null } } : { status: { abort: true } },
      );
    }
    if (Date.now() > deadline)
      throw new Error(
        `Rollout ${config.namespace}/${config.name} did not finish in time (phase ${status.phase ?? 'unknown'})`,
      );
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
  }
}

function isIndefinitePause(r: RolloutConfig, index: number | undefined): boolean {
  const step = index === undefined ? undefined : r.steps[index];
  return !!step && 'pause' in step && step.pause.duration === undefined;
}
