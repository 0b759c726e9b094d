import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The environment of a user's shell: no npm_* variables (vitest runs under npx, whose
 * npm_config_local_prefix would point an install at this repository), no node_modules/.bin of
 * this repository on PATH, nothing that locates a runtime for the CLI.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|MLOPS_|GITHUB_|RUNNER_|ACTIONS_|INPUT_|VITEST|NODE_OPTIONS$|ONNXRUNTIME_)/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.includes('node_modules'))
    .join(path.delimiter);
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function sh(cmd: string, args: string[], cwd: string, env = userEnv(), timeoutMs = 900_000): Ran {
  const ran = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  return { code: ran.status, stdout: ran.stdout ?? '', stderr: ran.stderr ?? ran.error?.message ?? '' };
}

export function show(r: Ran): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** `npm pack` of this repository into a fresh directory outside it; returns the tarball's path. */
export function packTarball(): string {
  const dest = mkdtempSync(path.join(tmpdir(), 'mlops-pack-'));
  const r = sh('npm', ['pack', '--pack-destination', dest], repoRoot, userEnv(), 300_000);
  if (r.code !== 0) throw new Error(`npm pack failed\n${show(r)}`);
  const tgz = readdirSync(dest).find((f) => /^mlops-actions-.*\.tgz$/.test(f));
  if (!tgz) throw new Error(`npm pack wrote no mlops-actions-*.tgz into ${dest}\n${show(r)}`);
  return path.join(dest, tgz);
}

/** A directory outside the repository (os.tmpdir()), so nothing resolves from the workspace. */
export function outsideDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (dir.startsWith(repoRoot)) throw new Error(`${dir} is inside the repository`);
  return dir;
}
