import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { silentLogger } from '../../packages/core/src/index.js';
import { runCanary } from '../../packages/deploy/src/index.js';
import type { AnalysisSource, CanaryPlan } from '../../packages/deploy/src/index.js';
import { gitopsApplier, kubectlApplier } from '../../packages/deploy/src/kubernetes/apply.js';
import { kubernetesBackend } from '../../packages/deploy/src/kubernetes/backend.js';
import {
  analysisTemplate,
  canaryManifests,
  canaryPercentOfRoute,
  httpRoute,
  rollout,
  rolloutServices,
} from '../../packages/deploy/src/kubernetes/manifests.js';
import type { K8sObject, KubernetesConfig } from '../../packages/deploy/src/kubernetes/manifests.js';
import { startFakeKubeApi } from './fake-kube-api.js';
import type { FakeKubeApi } from './fake-kube-api.js';

const DIGEST = `registry.local/churn@sha256:${'ab'.repeat(32)}`;
const cfg = (over: Partial<KubernetesConfig> = {}): KubernetesConfig => ({
  name: 'churn',
  namespace: 'ml',
  image: DIGEST,
  stableImage: 'registry.local/churn:1.0.0',
  containerPort: 8080,
  servicePort: 80,
  replicas: 3,
  canaryReplicas: 1,
  routing: 'gateway-api',
  gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' },
  hostnames: ['churn.example.com'],
  env: { MODEL_NAME: 'churn' },
  versions: { stable: 'sha256:1111', canary: `sha256:${'ab'.repeat(32)}` },
  ...over,
});

const MODELS: Record<string, new (d: never) => { validate(): void }> = {
  Deployment: Deployment as never,
  Service: Service as never,
  Ingress: Ingress as never,
  HTTPRoute: HTTPRoute as never,
  Rollout: Rollout as never,
  AnalysisTemplate: AnalysisTemplate as never,
};

function validate(o: K8sObject) {
  const Model = MODELS[o.kind];
  if (!Model) throw new Error(`no model for ${o.kind}`);
  new Model(o as never).validate();
}

describe('generated Kubernetes objects validate against the real schemas', () => {
  it.each([0, 5, 50, 100])('Gateway API set at %i percent', (w) => {
    const objects = canaryManifests(cfg(), w);
    expect(objects.map((o) => o.kind)).toEqual([
      'Service',
      'Service',
      'Deployment',
      'Deployment',
      'HTTPRoute',
    ]);
    for (const o of objects) validate(o);
    expect(canaryPercentOfRoute(objects[4]!, 'churn-canary')).toBe(w);
  });

  it('ingress-nginx legacy set carries canary-weight', () => {
    const objects = canaryManifests(
      cfg({ routing: 'ingress-nginx', ingress: { host: 'churn.example.com' } }),
      25,
    );
    for (const o of objects) validate(o);
    const canary = objects.find((o) => o.kind === 'Ingress' && o.metadata.name === 'churn-canary')!;
    expect(canary.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '25',
    });
  });

  it('Argo Rollouts Rollout, its Services and an AnalysisTemplate', () => {
    const r = rollout(cfg(), {
      steps: [{ setWeight: 5 }, { pause: { duration: '30s' } }, { setWeight: 50 }, { pause: {} }],
      analysisTemplate: 'churn-canary',
    });
    validate(r);
    for (const s of rolloutServices(cfg())) validate(s);
    validate(
      analysisTemplate(
        cfg(),
        'http://prometheus:9090',
        [
          {
            name: 'errors',
            query: 'sum(rate(x[1m]))',
            successCondition: 'result[0] < 0.01',
            interval: '30s',
          },
        ],
        {
          failureLimit: 0,
          inconclusiveLimit: 0,
        },
      ),
    );
  });

  it('the validation is real: a broken object is rejected', () => {
    const route = httpRoute(cfg(), 10);
    const refs = (route.spec as { rules: { backendRefs: { weight: unknown }[] }[] }).rules[0]!.backendRefs;
    refs[0]!.weight = -3;
    expect(() => validate(route)).toThrow();
    const d = canaryManifests(cfg(), 0)[2]!;
    (d.spec as { replicas: unknown }).replicas = 'three';
    expect(() => validate(d)).toThrow();
  });

  it('route weights are relative: they are normalised', () => {
    const route = httpRoute(cfg(), 0);
    const refs = (route.spec as { rules: { backendRefs: { weight?: number }[] }[] }).rules[0]!.backendRefs;
    refs[0]!.weight = 3;
    refs[1]!.weight = 1;
    expect(canaryPercentOfRoute(route, 'churn-canary')).toBe(25);
    delete refs[0]!.weight;
    delete refs[1]!.weight;
    expect(canaryPercentOfRoute(route, 'churn-canary')).toBe(50);
  });
});

// A fixed metrics source: the cluster's Prometheus is not what these tests are about.
function fixedSource(canaryErrors: number): AnalysisSource {
  return {
    labels: { canary: 'churn-canary', stable: 'churn-stable' },
    traffic: async (backend) => ({
      requests: 1000,
      errors: backend === 'canary' ? canaryErrors : 0,
      latencyMs: { values: [5, 10], counts: [900, 100] },
      queries: [`requests{service="churn-${backend}"}`],
    }),
    query: async () => [],
  };
}

const plan: CanaryPlan = {
  steps: [{ weight: 5 }, { weight: 50 }, { weight: 100 }],
  intervalMs: 5,
  failureLimit: 0,
  inconclusiveLimit: 0,
  minSamples: 50,
  checks: [
    { kind: 'error-rate', name: 'errors', allowedIncrease: 0.01, gates: [] },
    {
      kind: 'latency',
      name: 'latency',
      allowedIncrease: { amount: 10, relative: false },
      gates: ['p(99) < 100ms'],
    },
  ],
};

describe('kubectl server-side apply against a fake API server that validates every body', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeKubeApi();
  });
  afterAll(async () => api.close());

  const stored = (kind: string, name: string) =>
    [...api.objects.entries()].find(([k]) => k.includes(`/${kind}/ml/${name}`))?.[1];
  const weights = () =>
    (
      stored('HTTPRoute', 'churn')!.spec as { rules: { backendRefs: { name: string; weight: number }[] }[] }
    ).rules[0]!.backendRefs.map((r) => [r.name, r.weight]);

  it('a passing canary is promoted: stable runs the new digest, route back to stable, canary at 0 replicas', async () => {
    const backend = kubernetesBackend({
      config: cfg(),
      applier: kubectlApplier({ kubeconfig: api.kubeconfig }),
      source: fixedSource(0),
      pollMs: 10,
    });
    const outcome = await runCanary(plan, backend, { log: silentLogger });
    expect(outcome.decision, outcome.reason).toBe('promoted');
    expect(api.rejected).toEqual([]);
    const applies = api.requests.filter((r) => r.method === 'PATCH');
    expect(applies.every((r) => r.contentType?.startsWith('application/apply-patch+yaml'))).toBe(true);
    expect(
      applies.every(
        (r) => /fieldManager=mlops-actions/.test(r.path) && /fieldValidation=Strict/.test(r.path),
      ),
    ).toBe(true);
    // Every weight the canary went through reached the API server.
    const routeWeights = applies
      .filter((r) => r.path.includes('/httproutes/'))
      .map(
        (r) =>
          (r.body as K8sObject & { spec: { rules: { backendRefs: { weight: number }[] }[] } }).spec.rules[0]!
            .backendRefs[1]!.weight,
      );
    expect(routeWeights).toEqual([0, 5, 50, 0]);
    const stable = stored('Deployment', 'churn-stable') as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(stable.spec.template.spec.containers[0]!.image).toBe(DIGEST);
    expect((stored('Deployment', 'churn-canary')!.spec as { replicas: number }).replicas).toBe(0);
    expect(weights()).toEqual([
      ['churn-stable', 100],
      ['churn-canary', 0],
    ]);
  });

  it('re-applying the same objects is a no-op (idempotent apply)', async () => {
    const applier = kubectlApplier({ kubeconfig: api.kubeconfig });
    const objects = canaryManifests(cfg(), 0, { canaryReplicas: 0, stableImage: DIGEST });
    await applier.apply(objects);
    const gen = (stored('Deployment', 'churn-canary')!.metadata as { generation: number }).generation;
    await applier.apply(objects);
    expect((stored('Deployment', 'churn-canary')!.metadata as { generation: number }).generation).toBe(gen);
    const live = await applier.get(objects[3]!);
    expect(live?.metadata.name).toBe('churn-canary');
    expect(
      await applier.get({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'nope', namespace: 'ml' },
      }),
    ).toBeUndefined();
  });

  it('a failing canary is rolled back: weight 0 and the canary scaled to zero', async () => {
    const backend = kubernetesBackend({
      config: cfg(),
      applier: kubectlApplier({ kubeconfig: api.kubeconfig }),
      source: fixedSource(80),
      pollMs: 10,
    });
    const outcome = await runCanary(plan, backend, { log: silentLogger });
    expect(outcome.decision).toBe('rolled-back');
    expect(outcome.analyses).toHaveLength(1);
    expect(weights()).toEqual([
      ['churn-stable', 100],
      ['churn-canary', 0],
    ]);
    expect((stored('Deployment', 'churn-canary')!.spec as { replicas: number }).replicas).toBe(0);
    expect(api.rejected).toEqual([]);
  });
});

describe('GitOps directory', () => {
  it('writes one YAML file per object, byte-identical when re-applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-'));
    const applier = gitopsApplier(dir);
    const backend = kubernetesBackend({ config: cfg(), applier, source: fixedSource(0) });
    const outcome = await runCanary(plan, backend, { log: silentLogger });
    expect(outcome.decision).toBe('promoted');
    const files = (await readdir(join(dir, 'ml'))).sort();
    expect(files).toEqual([
      'deployment-churn-canary.yaml',
      'deployment-churn-stable.yaml',
      'httproute-churn.yaml',
      'service-churn-canary.yaml',
      'service-churn-stable.yaml',
    ]);
    const before = await readFile(join(dir, 'ml', 'httproute-churn.yaml'), 'utf8');
    await backend.rollback();
    expect(await readFile(join(dir, 'ml', 'httproute-churn.yaml'), 'utf8')).toBe(before);
    expect(before).toContain('weight: 100');
  });
});

describe('argo-rollouts backend follows the Rollout status', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeKubeApi();
  });
  afterAll(async () => api.close());

  // Plays Argo's controller: walks the steps, stops at the indefinite pause, then finishes or aborts.
  function simulateArgo(api: FakeKubeApi, stopAt: number) {
    api.onStore = (o) => {
      if (o.kind !== 'Rollout') return;
      const status = (o.status ?? {}) as Record<string, unknown>;
      const gen = (o.metadata as { generation: number }).generation;
      if (status.abort)
        Object.assign(status, { phase: 'Degraded', message: 'RolloutAborted: aborted by the approver' });
      else if (status.observedGeneration !== gen)
        Object.assign(status, {
          observedGeneration: gen,
          phase: 'Paused',
          currentStepIndex: stopAt,
          pauseConditions: [{ reason: 'CanaryPauseStep' }],
        });
      else if (!status.pauseConditions) Object.assign(status, { phase: 'Healthy', currentStepIndex: 4 });
      o.status = status;
    };
  }
  const r = { steps: [{ setWeight: 10 }, { pause: { duration: '1m' } }, { setWeight: 50 }, { pause: {} }] };

  it("an approved pause is Argo's promote", async () => {
    simulateArgo(api, 3);
    const { followArgoRollout } = await import('../../packages/deploy/src/kubernetes/argo-rollouts.js');
    const outcome = await followArgoRollout({
      config: cfg(),
      rollout: r,
      applier: kubectlApplier({ kubeconfig: api.kubeconfig }),
      approve: async () => ({ approved: true, by: 'octocat' }),
      pollMs: 20,
    });
    expect(outcome.decision, outcome.reason).toBe('promoted');
    const patch = api.requests.find((q) => q.method === 'PATCH' && q.path.includes('/rollouts/churn/status'));
    expect(patch?.body).toEqual({ status: { pauseConditions: null } });
    expect(api.rejected).toEqual([]);
  });

  it("a rejected pause is Argo's abort", async () => {
    simulateArgo(api, 3);
    const { followArgoRollout } = await import('../../packages/deploy/src/kubernetes/argo-rollouts.js');
    const outcome = await followArgoRollout({
      config: cfg({ image: 'registry.local/churn:2.0.0' }),
      rollout: r,
      applier: kubectlApplier({ kubeconfig: api.kubeconfig }),
      approve: async () => ({ approved: false, by: 'octocat' }),
      pollMs: 20,
    });
    expect(outcome.decision).toBe('rolled-back');
    expect(outcome.reason).toMatch(/aborted/);
    expect(
      api.requests.filter((q) => q.method === 'PATCH' && q.path.includes('/rollouts/churn/status')).at(-1)
        ?.body,
    ).toEqual({ status: { abort: true } });
  });
});
