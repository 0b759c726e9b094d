/**
 * Kubernetes objects for a canary: two Deployments (stable, canary), two Services, and the traffic
 * split, as plain JSON (validated in tests against kubernetes-models' OpenAPI-derived schemas).
 * Gateway API `HTTPRoute` backend weights are the primary split; ingress-nginx `canary-weight`
 * annotations are a legacy option (ingress-nginx stops receiving fixes in March 2026); Argo
 * Rollouts gets a `Rollout` with the same steps.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export type TrafficRouting = 'gateway-api' | 'ingress-nginx';

export interface KubernetesConfig {
  /** Application name: objects are `<name>-stable`, `<name>-canary`, route `<name>`. */
  name: string;
  namespace: string;
  /** Image of the new model server, by digest preferably (`registry/model@sha256:...`). */
  image: string;
  /** Image stable runs; needed to create stable, and what promotion replaces. */
  stableImage?: string;
  containerPort: number;
  servicePort: number;
  replicas: number;
  canaryReplicas: number;
  routing: TrafficRouting;
  /** Gateway API: the Gateway the route attaches to. */
  gateway?: { name: string; namespace?: string; sectionName?: string };
  hostnames?: string[];
  /** ingress-nginx: host, path and class. */
  ingress?: { host?: string; path?: string; className?: string };
  readinessPath?: string;
  /** Extra env for the container, e.g. MODEL_NAME. */
  env?: Record<string, string>;
  /** Version labels written on the pods (`mlops.dev/version`), e.g. a digest prefix. */
  versions?: { stable?: string; canary?: string };
}

export const MANAGED_BY = 'mlops-actions';

function labels(cfg: KubernetesConfig, track?: 'stable' | 'canary'): Record<string, string> {
  const out: Record<string, string> = {
    'app.kubernetes.io/name': cfg.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
  if (track) out['mlops.dev/track'] = track;
  return out;
}

export function serviceName(cfg: Pick<KubernetesConfig, 'name'>, track: 'stable' | 'canary'): string {
  return `${cfg.name}-${track}`;
}

function sanitizeLabel(value: string): string {
  // Label values: ≤ 63 chars of [A-Za-z0-9._-], alphanumeric at both ends.
  return value
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

export function deployment(
  cfg: KubernetesConfig,
  track: 'stable' | 'canary',
  image: string,
  replicas: number,
): K8sObject {
  const podLabels = labels(cfg, track);
  const version = cfg.versions?.[track];
  const templateLabels = version ? { ...podLabels, 'mlops.dev/version': sanitizeLabel(version) } : podLabels;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${cfg.name}-${track}`, namespace: cfg.namespace, labels: podLabels },
    spec: {
      replicas,
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: templateLabels },
        spec: {
          containers: [
            {
              name: 'model',
              image,
              ports: [{ name: 'http', containerPort: cfg.containerPort }],
              env: Object.entries(cfg.env ?? {}).map(([name, value]) => ({ name, value })),
              readinessProbe: {
                httpGet: { path: cfg.readinessPath ?? '/v2/health/ready', port: 'http' },
                periodSeconds: 2,
                failureThreshold: 3,
              },
            },
          ],
        },
      },
    },
  };
}

export function service(cfg: KubernetesConfig, track: 'stable' | 'canary'): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(cfg, track), namespace: cfg.namespace, labels: labels(cfg, track) },
    spec: {
      selector: labels(cfg, track),
      ports: [{ name: 'http', port: cfg.servicePort, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Gateway API route with relative weights: stable 100 − w, canary w. */
export function httpRoute(cfg: KubernetesConfig, canaryPercent: number): K8sObject {
  if (!cfg.gateway) throw new Error('gateway-api routing needs kubernetes.gateway.name');
  const w = Math.round(canaryPercent);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: cfg.name, namespace: cfg.namespace, labels: labels(cfg) },
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: cfg.gateway.name,
          ...(cfg.gateway.namespace ? { namespace: cfg.gateway.namespace } : {}),
          ...(cfg.gateway.sectionName ? { sectionName: cfg.gateway.sectionName } : {}),
        },
      ],
      ...(cfg.hostnames?.length ? { hostnames: cfg.hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            {
              group: '',
              kind: 'Service',
              name: serviceName(cfg, 'stable'),
              port: cfg.servicePort,
              weight: 100 - w,
            },
            {
              group: '',
              kind: 'Service',
              name: serviceName(cfg, 'canary'),
              port: cfg.servicePort,
              weight: w,
            },
          ],
        },
      ],
    },
  };
}

/**
 * Canary percent of an existing route. Gateway API weights are relative (each backend gets
 * weight / sum; the default weight is 1; all zero sends nothing), so `{stable: 3, canary: 1}` is 25%.
 */
export function canaryPercentOfRoute(route: K8sObject, canaryService: string): number | undefined {
  const rules = (
    route.spec as { rules?: { backendRefs?: { name: string; weight?: number }[] }[] } | undefined
  )?.rules;
  const refs = rules?.[0]?.backendRefs ?? [];
  const total = refs.reduce((s, r) => s + (r.weight ?? 1), 0);
  if (total <= 0) return undefined;
  const canary = refs.filter((r) => r.name === canaryService).reduce((s, r) => s + (r.weight ?? 1), 0);
  return (canary / total) * 100;
}

/** ingress-nginx: the main Ingress to stable and the canary Ingress with `canary-weight`. */
export function nginxIngresses(cfg: KubernetesConfig, canaryPercent: number): K8sObject[] {
  const rule = (track: 'stable' | 'canary') => ({
    ...(cfg.ingress?.host ? { host: cfg.ingress.host } : {}),
    http: {
      paths: [
        {
          path: cfg.ingress?.path ?? '/',
          pathType: 'Prefix',
          backend: { service: { name: serviceName(cfg, track), port: { number: cfg.servicePort } } },
        },
      ],
    },
  });
  const spec = (track: 'stable' | 'canary') => ({
    ingressClassName: cfg.ingress?.className ?? 'nginx',
    rules: [rule(track)],
  });
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: cfg.name, namespace: cfg.namespace, labels: labels(cfg) },
      spec: spec('stable'),
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: `${cfg.name}-canary`,
        namespace: cfg.namespace,
        labels: labels(cfg, 'canary'),
        annotations: {
          'nginx.ingress.kubernetes.io/canary': 'true',
          'nginx.ingress.kubernetes.io/canary-weight': String(Math.round(canaryPercent)),
          'nginx.ingress.kubernetes.io/canary-weight-total': '100',
        },
      },
      spec: spec('canary'),
    },
  ];
}

export function routeObjects(cfg: KubernetesConfig, canaryPercent: number): K8sObject[] {
  return cfg.routing === 'gateway-api' ? [httpRoute(cfg, canaryPercent)] : nginxIngresses(cfg, canaryPercent);
}

/** Everything for a canary at `canaryPercent`, in apply order (services before routes). */
export function canaryManifests(
  cfg: KubernetesConfig,
  canaryPercent: number,
  options: { canaryReplicas?: number; stableImage?: string } = {},
): K8sObject[] {
  const objects: K8sObject[] = [service(cfg, 'stable'), service(cfg, 'canary')];
  const stableImage = options.stableImage ?? cfg.stableImage;
  if (stableImage) objects.push(deployment(cfg, 'stable', stableImage, cfg.replicas));
  objects.push(deployment(cfg, 'canary', cfg.image, options.canaryReplicas ?? cfg.canaryReplicas));
  objects.push(...routeObjects(cfg, canaryPercent));
  return objects;
}

export interface RolloutConfig {
  steps: ({ setWeight: number } | { pause: { duration?: string } })[];
  analysisTemplate?: string;
}

/**
 * An Argo Rollouts `Rollout` for the same app: Argo drives the steps and the analysis itself; we
 * set the image and follow `status`. Traffic goes through the canary and stable Services.
 */
export function rollout(cfg: KubernetesConfig, r: RolloutConfig): K8sObject {
  const d = deployment(cfg, 'stable', cfg.image, cfg.replicas);
  const spec = d.spec as { selector: unknown; template: { metadata: { labels: Record<string, string> } } };
  const podLabels = { 'app.kubernetes.io/name': cfg.name, 'app.kubernetes.io/managed-by': MANAGED_BY };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: cfg.name, namespace: cfg.namespace, labels: podLabels },
    spec: {
      replicas: cfg.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: podLabels },
      template: { ...spec.template, metadata: { labels: podLabels } },
      strategy: {
        canary: {
          canaryService: serviceName(cfg, 'canary'),
          stableService: serviceName(cfg, 'stable'),
          ...(r.analysisTemplate
            ? { analysis: { templates: [{ templateName: r.analysisTemplate }], startingStep: 1 } }
            : {}),
          steps: r.steps,
        },
      },
    },
  };
}

/** Services for a Rollout select only the app; Argo adds the pod-template-hash selector itself. */
export function rolloutServices(cfg: KubernetesConfig): K8sObject[] {
  return (['stable', 'canary'] as const).map((track) => {
    const s = service(cfg, track);
    (s.spec as { selector: Record<string, string> }).selector = {
      'app.kubernetes.io/name': cfg.name,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
    return s;
  });
}

/**
 * An AnalysisTemplate from PromQL checks: Argo's own failureLimit / inconclusiveLimit, and a
 * `len(result) > 0` guard so an empty result is inconclusive instead of an opaque error
 * (argo-rollouts#1466, #2101).
 */
export function analysisTemplate(
  cfg: KubernetesConfig,
  prometheusAddress: string,
  metrics: { name: string; query: string; successCondition: string; interval: string }[],
  limits: { failureLimit: number; inconclusiveLimit: number },
): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: `${cfg.name}-canary`, namespace: cfg.namespace, labels: labels(cfg) },
    spec: {
      metrics: metrics.map((m) => ({
        name: m.name,
        interval: m.interval,
        failureLimit: limits.failureLimit,
        inconclusiveLimit: limits.inconclusiveLimit,
        successCondition: `len(result) > 0 && ${m.successCondition}`,
        failureCondition: `len(result) > 0 && !(${m.successCondition})`,
        provider: { prometheus: { address: prometheusAddress, query: m.query } },
      })),
    },
  };
}
