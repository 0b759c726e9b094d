import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error file=...,line=...::message` workflow commands the action printed. */
  annotations: { level: string; props: Record<string, string>; message: string }[];
}

/** Parses the GITHUB_OUTPUT file format: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i]!);
      out[name!] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const found: ActionRun['annotations'] = [];
  for (const m of stdout.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)) {
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = kv.indexOf('=');
      props[kv.slice(0, at)] = decodeURIComponent(kv.slice(at + 1).replace(/%2C/g, ','));
    }
    found.push({ level: m[1]!, props, message: m[3]!.replace(/%0A/g, '\n').replace(/%25/g, '%') });
  }
  return found;
}

/**
 * Runs a committed action bundle exactly as the runner does: a node process with the step's inputs
 * as INPUT_* variables and the runner's file commands (outputs, summary, event payload).
 */
export async function runActionBundle(
  action: string,
  opts: { inputs?: Record<string, string>; cwd: string; env?: Record<string, string>; event?: unknown },
): Promise<ActionRun> {
  const scratch = await mkdtemp(join(tmpdir(), 'runner-'));
  const files = {
    GITHUB_OUTPUT: join(scratch, 'output'),
    GITHUB_STEP_SUMMARY: join(scratch, 'summary'),
    GITHUB_EVENT_PATH: join(scratch, 'event.json'),
    GITHUB_ENV: join(scratch, 'env'),
    GITHUB_STATE: join(scratch, 'state'),
    GITHUB_PATH: join(scratch, 'path'),
  };
  for (const f of Object.values(files)) await writeFile(f, '');
  await writeFile(files.GITHUB_EVENT_PATH, JSON.stringify(opts.event ?? {}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? scratch,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: opts.cwd,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_WORKFLOW: 'model-pr',
    RUNNER_TEMP: scratch,
    RUNNER_TOOL_CACHE: join(scratch, 'tool-cache'),
    ...files,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {}))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const bundle = join(REPO_ROOT, 'actions', action, 'dist', 'index.js');
  const child = spawn(process.execPath, [bundle], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseAnnotations(stdout),
  };
}
