import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { K8sObject } from './manifests.js';

/** How generated objects reach a cluster: kubectl server-side apply, or files for Argo CD / Flux. */
export interface Applier {
  readonly mode: 'kubectl' | 'gitops';
  apply(objects: K8sObject[]): Promise<void>;
  /** The live object, or undefined when it does not exist (GitOps: what was last written). */
  get(obj: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<K8sObject | undefined>;
  /** A status subresource merge patch (Argo Rollouts promote/abort). */
  patchStatus?(obj: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>, patch: unknown): Promise<void>;
}

export interface KubectlOptions {
  kubectl?: string;
  kubeconfig?: string;
  context?: string;
  fieldManager?: string;
  timeoutMs?: number;
}

function run(
  bin: string,
  args: string[],
  input: string | undefined,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
) {
  return new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
    const child = execFile(
      bin,
      args,
      { env, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(new Error(`cannot run ${bin}: ${err.message}`));
          return;
        }
        resolve({ stdout, stderr, code: err ? Number((err as { code?: number }).code ?? 1) : 0 });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function resourceRef(obj: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.metadata.name}`;
}

/**
 * `kubectl apply --server-side`: the API server merges by field manager, so re-applying the same
 * objects (a re-run after a crash or an approval) changes nothing, and a step never double-applies.
 * `--force-conflicts` takes over the weight fields from an earlier manual edit.
 */
export function kubectlApplier(options: KubectlOptions = {}): Applier {
  const bin = options.kubectl ?? 'kubectl';
  const env = { ...process.env, ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}) };
  const common = options.context ? ['--context', options.context] : [];
  const timeoutMs = options.timeoutMs ?? 120_000;
  return {
    mode: 'kubectl',
    async apply(objects) {
      // A stream of documents, not a v1 List: kubectl checks server-side field validation per kind.
      const stream = objects.map((o) => stringify(o)).join('---\n');
      const args = [
        ...common,
        'apply',
        '--server-side',
        '--force-conflicts',
        `--field-manager=${options.fieldManager ?? 'mlops-actions'}`,
        '-o',
        'name',
        '-f',
        '-',
      ];
      const r = await run(bin, args, stream, env, timeoutMs);
      if (r.code !== 0)
        throw new Error(
          `kubectl apply --server-side failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
        );
    },
    async get(obj) {
      const args = [
        ...common,
        'get',
        resourceRef(obj),
        '-o',
        'json',
        ...(obj.metadata.namespace ? ['-n', obj.metadata.namespace] : []),
      ];
      const r = await run(bin, args, undefined, env, timeoutMs);
      if (r.code !== 0) {
        if (/NotFound|not found/.test(r.stderr)) return undefined;
        throw new Error(`kubectl get ${resourceRef(obj)} failed (exit ${r.code}): ${r.stderr.trim()}`);
      }
      return JSON.parse(r.stdout) as K8sObject;
    },
    async patchStatus(obj, patch) {
      const args = [
        ...common,
        'patch',
        resourceRef(obj),
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify(patch),
        ...(obj.metadata.namespace ? ['-n', obj.metadata.namespace] : []),
      ];
      const r = await run(bin, args, undefined, env, timeoutMs);
      if (r.code !== 0)
        throw new Error(`kubectl patch ${resourceRef(obj)} --subresource=status failed: ${r.stderr.trim()}`);
    },
  };
}

/**
 * GitOps: one YAML file per object under `<dir>/<namespace>/`, rewritten on every step, for Argo
 * CD or Flux to sync from a config repository kept apart from the code. Writing the same objects
 * twice produces the same bytes.
 */
export function gitopsApplier(dir: string): Applier {
  const written = new Map<string, K8sObject>();
  const key = (o: Pick<K8sObject, 'kind' | 'metadata'>) =>
    `${o.metadata.namespace ?? 'default'}/${o.kind.toLowerCase()}-${o.metadata.name}`;
  return {
    mode: 'gitops',
    async apply(objects) {
      for (const o of objects) {
        const k = key(o);
        const file = join(dir, `${k}.yaml`);
        await mkdir(join(dir, o.metadata.namespace ?? 'default'), { recursive: true });
        await writeFile(
          file,
          `# generated by mlops deploy-canary; applied by your GitOps controller\n${stringify(o)}`,
        );
        written.set(k, o);
      }
    },
    async get(obj) {
      return written.get(key(obj));
    },
  };
}
