import type { Logger } from '@mlops-actions/core';
import { silentLogger } from '@mlops-actions/core';
import type { CanaryBackend } from '../analysis/run.js';
import type { AnalysisSource } from '../analysis/types.js';
import type { Applier } from './apply.js';
import { canaryManifests, deployment, routeObjects } from './manifests.js';
import type { K8sObject, KubernetesConfig } from './manifests.js';

export interface KubernetesBackendOptions {
  config: KubernetesConfig;
  applier: Applier;
  /** Metrics of the cluster (Prometheus with the user's traffic queries). */
  source: AnalysisSource;
  log?: Logger;
  /** Longest wait for a Deployment to become available (default 10 min). */
  rolloutTimeoutMs?: number;
  pollMs?: number;
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

/** Available: the controller saw the newest spec and every replica is updated and available. */
export function deploymentReady(obj: K8sObject | undefined): boolean {
  if (!obj) return false;
  const want = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const status = (obj.status ?? {}) as DeploymentStatus;
  const generation = (obj.metadata as { generation?: number }).generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) return false;
  if (want === 0) return (status.replicas ?? 0) === 0;
  return (status.updatedReplicas ?? 0) >= want && (status.availableReplicas ?? 0) >= want;
}

/**
 * Kubernetes canary: Deployments + Services + a weighted route, applied idempotently. Rollback is
 * weight 0 and the canary scaled to zero; promotion rolls stable onto the canary's image, waits for
 * it, returns the route to stable and scales the canary down. In GitOps mode nothing can be waited
 * for: the files are written and the controller applies them.
 */
export function kubernetesBackend(
  options: KubernetesBackendOptions,
): CanaryBackend & { objects: K8sObject[][] } {
  const { config: cfg, applier } = options;
  const log = options.log ?? silentLogger;
  const applied: K8sObject[][] = [];
  let weight = -1;
  const apply = async (objects: K8sObject[]) => {
    await applier.apply(objects);
    applied.push(objects);
  };
  const waitAvailable = async (obj: K8sObject) => {
    if (applier.mode === 'gitops') return;
    const deadline = Date.now() + (options.rolloutTimeoutMs ?? 600_000);
    for (;;) {
      if (deploymentReady(await applier.get(obj))) return;
      if (Date.now() > deadline)
        throw new Error(`deployment ${obj.metadata.namespace}/${obj.metadata.name} did not become available`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
    }
  };
  return {
    name: 'kubernetes',
    source: options.source,
    objects: applied,
    async prepare() {
      const objects = canaryManifests(cfg, 0);
      await apply(objects);
      weight = 0;
      await waitAvailable(deployment(cfg, 'canary', cfg.image, cfg.canaryReplicas));
      log.info(`canary ${cfg.namespace}/${cfg.name}-canary available (${cfg.image})`);
    },
    async setWeight(percent) {
      if (percent === weight) return;
      await apply(routeObjects(cfg, percent));
      weight = percent;
    },
    async promote() {
      // Stable takes the canary's image and version label: a rolling update, not a new Deployment.
      const promoted = {
        ...cfg,
        versions: { ...cfg.versions, stable: cfg.versions?.canary ?? cfg.versions?.stable },
      };
      const stable = deployment(promoted, 'stable', cfg.image, cfg.replicas);
      await apply([stable]);
      await waitAvailable(stable);
      await apply([...routeObjects(cfg, 0), deployment(cfg, 'canary', cfg.image, 0)]);
      weight = 0;
    },
    async rollback() {
      await apply([...routeObjects(cfg, 0), deployment(cfg, 'canary', cfg.image, 0)]);
      weight = 0;
    },
  };
}
