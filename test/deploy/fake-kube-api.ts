import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';

/**
 * A small Kubernetes API server for kubectl: legacy discovery for the groups the canary uses,
 * server-side apply (PATCH application/apply-patch+yaml) whose body is validated against the
 * OpenAPI-derived schemas of kubernetes-models before it is stored, GET, and status merge patches.
 * Deployments report themselves available at once; no cluster runs here.
 */

interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  model: new (data: never) => { validate(): void };
}

const RESOURCES: Resource[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service', model: Service as never },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', model: Deployment as never },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    kind: 'Ingress',
    model: Ingress as never,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
    kind: 'HTTPRoute',
    model: HTTPRoute as never,
  },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout', model: Rollout as never },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'analysistemplates',
    kind: 'AnalysisTemplate',
    model: AnalysisTemplate as never,
  },
];

export interface RecordedRequest {
  method: string;
  path: string;
  contentType?: string;
  body?: unknown;
}

export interface FakeKubeApi {
  url: string;
  kubeconfig: string;
  requests: RecordedRequest[];
  objects: Map<string, Record<string, unknown>>;
  /** Validation failures the server answered 422 for. */
  rejected: string[];
  /** Called on every stored object so a test can shape `status` (Argo Rollouts phases). */
  onStore?: (obj: Record<string, unknown>) => void;
  close(): Promise<void>;
}

function gv(r: Resource) {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function resourceList(group: string, version: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: RESOURCES.filter((r) => r.group === group && r.version === version).flatMap((r) => [
      {
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: true,
        kind: r.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      },
      {
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: true,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      },
    ]),
  };
}

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  const rejected: string[] = [];
  const api: Partial<FakeKubeApi> = { requests, objects, rejected };
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString();
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname + url.search,
        contentType: req.headers['content-type'],
      };
      if (text) rec.body = parse(text) as unknown;
      requests.push(rec);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const status = (code: number, reason: string, message: string) =>
        send(code, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message,
          reason,
          code,
        });
      const p = url.pathname;
      if (p === '/api')
        return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (p === '/apis') {
        return send(200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: groups.map((g) => {
            const v = RESOURCES.find((r) => r.group === g)!.version;
            return {
              name: g,
              versions: [{ groupVersion: `${g}/${v}`, version: v }],
              preferredVersion: { groupVersion: `${g}/${v}`, version: v },
            };
          }),
        });
      }
      if (p === '/api/v1') return send(200, resourceList('', 'v1'));
      const gvMatch = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
      if (gvMatch) return send(200, resourceList(gvMatch[1]!, gvMatch[2]!));
      // OpenAPI v3 discovery, only as much as kubectl reads to learn that PATCH takes
      // fieldValidation (so it asks the server to validate strictly instead of fetching /openapi/v2).
      if (p === '/openapi/v3') {
        const paths: Record<string, { serverRelativeURL: string }> = {};
        for (const r of RESOURCES) {
          const key = r.group ? `apis/${r.group}/${r.version}` : 'api/v1';
          paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=fake` };
        }
        return send(200, { paths });
      }
      const oa = /^\/openapi\/v3\/(api\/v1|apis\/([^/]+)\/([^/]+))$/.exec(p);
      if (oa) {
        const group = oa[2] ?? '';
        const version = oa[3] ?? 'v1';
        const paths: Record<string, unknown> = {};
        for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
          const prefix = r.group ? `/apis/${r.group}/${r.version}` : '/api/v1';
          paths[`${prefix}/namespaces/{namespace}/${r.plural}/{name}`] = {
            patch: {
              'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
              parameters: [
                { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
                { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
                { name: 'force', in: 'query', schema: { type: 'boolean' } },
              ],
              responses: {},
            },
          };
        }
        return send(200, {
          openapi: '3.0.0',
          info: { title: 'Kubernetes', version: 'v1.32.0' },
          paths,
          components: { schemas: {} },
        });
      }
      if (p === '/version') return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0-fake' });
      const m =
        /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)(\/status)?$/.exec(p);
      if (!m) return status(404, 'NotFound', `the server could not find the requested resource (${p})`);
      const [, group = '', version = 'v1', namespace, plural, name, sub] = m;
      const resource = RESOURCES.find(
        (r) => r.group === group && r.version === version && r.plural === plural,
      );
      if (!resource) return status(404, 'NotFound', `no resource ${plural} in ${group}/${version}`);
      const key = `${gv(resource)}/${resource.kind}/${namespace}/${name}`;
      const existing = objects.get(key);
      if (req.method === 'GET') {
        if (!existing) return status(404, 'NotFound', `${plural} "${name}" not found`);
        return send(200, existing);
      }
      if (
        req.method === 'PATCH' &&
        sub &&
        req.headers['content-type']?.startsWith('application/merge-patch+json')
      ) {
        if (!existing) return status(404, 'NotFound', `${plural} "${name}" not found`);
        const patch = (rec.body ?? {}) as { status?: Record<string, unknown> };
        existing.status = { ...(existing.status as object), ...patch.status };
        for (const [k, v] of Object.entries(existing.status as Record<string, unknown>))
          if (v === null) delete (existing.status as Record<string, unknown>)[k];
        api.onStore?.(existing);
        return send(200, existing);
      }
      if (req.method === 'PATCH' && req.headers['content-type']?.startsWith('application/apply-patch+yaml')) {
        if (!url.searchParams.get('fieldManager'))
          return status(400, 'BadRequest', 'fieldManager is required for apply');
        if (url.searchParams.get('fieldValidation') !== 'Strict')
          rejected.push(`${p}: apply without fieldValidation=Strict`);
        const body = rec.body as Record<string, unknown> & { metadata?: Record<string, unknown> };
        const problems: string[] = [];
        if (body.kind !== resource.kind || body.apiVersion !== gv(resource))
          problems.push(`kind/apiVersion ${String(body.apiVersion)} ${String(body.kind)} at ${p}`);
        if (body.metadata?.name !== name || (body.metadata?.namespace ?? namespace) !== namespace)
          problems.push(`metadata does not match ${p}`);
        try {
          new resource.model(body as never).validate();
        } catch (err) {
          problems.push((err as Error).message);
        }
        if (problems.length > 0) {
          rejected.push(`${key}: ${problems.join('; ')}`);
          return status(422, 'Invalid', `${resource.kind} "${name}" is invalid: ${problems.join('; ')}`);
        }
        const prevSpec = JSON.stringify(existing?.spec);
        const generation =
          ((existing?.metadata as { generation?: number } | undefined)?.generation ?? 0) +
          (prevSpec === JSON.stringify(body.spec) ? 0 : 1);
        const stored: Record<string, unknown> = {
          ...body,
          metadata: {
            ...body.metadata,
            namespace,
            uid: (existing?.metadata as { uid?: string } | undefined)?.uid ?? `uid-${objects.size + 1}`,
            generation,
            resourceVersion: String(requests.length),
          },
          ...(existing?.status ? { status: existing.status } : {}),
        };
        if (resource.kind === 'Deployment') {
          const replicas = (body.spec as { replicas?: number }).replicas ?? 1;
          stored.status = {
            observedGeneration: generation,
            replicas,
            updatedReplicas: replicas,
            availableReplicas: replicas,
            readyReplicas: replicas,
          };
        }
        objects.set(key, stored);
        api.onStore?.(stored);
        return send(existing ? 200 : 201, stored);
      }
      return status(405, 'MethodNotAllowed', `${req.method} ${p} is not supported by the fake API server`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: fake, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: fake, user: {token: fake-token}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: default}}]',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  Object.assign(api, {
    url: `http://127.0.0.1:${port}`,
    kubeconfig,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
  return api as FakeKubeApi;
}
