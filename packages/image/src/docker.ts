/**
 * The Dockerfile path: when the spec names a Dockerfile, the image is built by `docker buildx`
 * (with the GitHub Actions cache backend when running in Actions), which needs a working Docker
 * engine. Only whether one answers is decided here; without one the stage says so and stops
 * rather than building something other than what the Dockerfile describes.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { InputError } from '@mlops-actions/core';

export type EngineCheck = { available: true; version: string } | { available: false; reason: string };

export interface DetectOptions {
  /** The docker CLI (default `docker` on PATH). */
  docker?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException & { killed?: boolean };
}> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs, env: opts.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        resolve({
          code: err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as unknown as { code: number }).code
              : null
            : 0,
          stdout,
          stderr,
          ...(err ? { error: err } : {}),
        });
      },
    );
  });
}

/** Asks the engine itself (`docker version` needs the daemon to print a server version). */
export async function detectDockerEngine(opts: DetectOptions = {}): Promise<EngineCheck> {
  const docker = opts.docker ?? 'docker';
  const r = await run(docker, ['version', '--format', '{{.Server.Version}}'], {
    timeoutMs: opts.timeoutMs ?? 15_000,
    env: opts.env ?? process.env,
  });
  if (r.error?.code === 'ENOENT') return { available: false, reason: `no '${docker}' command on PATH` };
  if (r.error?.killed)
    return {
      available: false,
      reason: `'${docker} version' did not answer within ${(opts.timeoutMs ?? 15_000) / 1000} s`,
    };
  const version = r.stdout.trim();
  if (r.code === 0 && version !== '') return { available: true, version };
  const why = (r.stderr || r.stdout || r.error?.message || '').trim().split('\n').slice(-2).join(' ');
  return {
    available: false,
    reason: `'${docker} version' found no engine: ${why || `exit ${String(r.code)}`}`,
  };
}

export function noEngineError(dockerfile: string, reason: string): InputError {
  return new InputError(
    `image.dockerfile is set (${dockerfile}) but no Docker engine is available (${reason}). ` +
      'Building from a Dockerfile needs one (GitHub-hosted ubuntu runners have it). ' +
      'Remove image.dockerfile to build the image without a daemon from image.base.',
  );
}

export interface BuildxOptions {
  dockerfile: string;
  context: string;
  /** Full references (`ghcr.io/org/model:tag`). */
  tags: string[];
  /** Push to the registry; otherwise write an OCI layout directory at `ociDest`. */
  push: boolean;
  ociDest?: string;
  labels: Record<string, string>;
  buildArgs?: Record<string, string>;
  platforms?: string[];
  metadataFile: string;
  /** Use buildx's GitHub Actions cache backend (inside Actions, where its token is set). */
  ghaCache: boolean;
}

export function buildxArgs(o: BuildxOptions): string[] {
  const args = [
    'buildx',
    'build',
    '--file',
    o.dockerfile,
    '--metadata-file',
    o.metadataFile,
    '--provenance=false',
  ];
  for (const t of o.tags) args.push('--tag', t);
  for (const [k, v] of Object.entries(o.labels).sort(([a], [b]) => (a < b ? -1 : 1)))
    args.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  if (o.platforms?.length) args.push('--platform', o.platforms.join(','));
  if (o.ghaCache) args.push('--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max');
  if (o.push) args.push('--push');
  else args.push('--output', `type=oci,dest=${o.ociDest ?? 'oci'},tar=false`);
  args.push(o.context);
  return args;
}

/** Inside GitHub Actions, buildx's gha cache reads these two (set for actions by the runner). */
export function ghaCacheAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL));
}

/** Runs buildx; returns the pushed/exported digest from its metadata file. */
export async function buildWithDockerfile(o: BuildxOptions, docker = 'docker'): Promise<{ digest: string }> {
  const r = await run(docker, buildxArgs(o), { timeoutMs: 60 * 60_000 });
  if (r.code !== 0) {
    throw new InputError(
      `docker buildx build failed (exit ${String(r.code)}): ${r.stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  }
  const meta = JSON.parse(await readFile(o.metadataFile, 'utf8')) as Record<string, unknown>;
  const digest = meta['containerimage.digest'];
  if (typeof digest !== 'string')
    throw new Error(`docker buildx wrote no containerimage.digest to ${o.metadataFile}`);
  return { digest };
}
