import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ORT_INTEGRITY,
  ORT_TOOL_NAME,
  ORT_VERSION,
  verifyOrt,
} from '../../packages/action/src/ort-install.js';

const root = path.resolve(import.meta.dirname, '../..');
const driver = path.join(import.meta.dirname, 'ensure-ort-driver.ts');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const model = path.join(root, 'examples/breast-cancer/baseline/model.onnx');
const scratch = mkdtempSync(path.join(tmpdir(), 'mlops-ort-install-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  result?: { dir: string; route: string; version: string; env: string; inputs?: string[] };
}

/** The runner's environment, minus anything that would find the repository's own node_modules. */
function runnerEnv(
  workspace: string,
  toolCache: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_TEMP: path.join(scratch, 'runner-temp'),
    ...extra,
  };
}

function ensure(workspace: string, toolCache: string, extra: Record<string, string> = {}): Outcome {
  mkdirSync(path.join(scratch, 'runner-temp'), { recursive: true });
  const ran = spawnSync(tsx, [driver, model], {
    cwd: workspace,
    env: runnerEnv(workspace, toolCache, extra),
    encoding: 'utf8',
    timeout: 900_000,
  });
  const last = ran.stdout.trim().split('\n').pop() ?? '';
  let result;
  try {
    result = ran.status === 0 ? JSON.parse(last) : undefined;
  } catch {
    result = undefined;
  }
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr, result };
}

function freshDir(name: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('ensureOrt: actions bring their own onnxruntime-node', () => {
  it('pins the version and integrity of package-lock.json', () => {
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
    const entry = lock.packages['node_modules/onnxruntime-node'];
    expect(ORT_VERSION).toBe(entry.version);
    expect(ORT_INTEGRITY).toBe(entry.integrity);
  });

  describe('tool cache: install, reuse, replace a corrupt entry', () => {
    const workspace = freshDir('ws-python-project');
    const toolCache = freshDir('tool-cache');
    const entry = path.join(toolCache, ORT_TOOL_NAME, ORT_VERSION, process.arch);

    it(
      'first run installs with npm into the tool cache, verifies it and evaluates',
      { timeout: 900_000 },
      () => {
        const out = ensure(workspace, toolCache);
        expect(out.stderr).not.toMatch(/ERROR/);
        expect(out.code, out.stderr + out.stdout).toBe(0);
        expect(out.result?.route).toBe('npm-install');
        expect(out.stdout).toMatch(
          /not found; installing onnxruntime-node@1\.30\.0 with npm into the tool cache/,
        );
        expect(out.stdout).toMatch(/installed with npm into .* and verified/);
        expect(out.result?.dir).toBe(path.join(entry, 'node_modules', 'onnxruntime-node'));
        expect(out.result?.env).toBe(out.result?.dir);
        // The model was inspected with ORT loaded from MLOPS_ORT_PATH only.
        expect(out.result?.inputs?.length).toBeGreaterThan(0);
        expect(existsSync(`${entry}.complete`)).toBe(true);
        // Only this platform's binaries are kept.
        const bin = path.join(out.result!.dir, 'bin', 'napi-v6');
        expect(readdirSync(bin)).toEqual([process.platform]);
        expect(readdirSync(path.join(bin, process.platform))).toEqual([process.arch]);
        expect(existsSync(path.join(workspace, 'node_modules'))).toBe(false);
      },
    );

    it('second run reuses the tool cache', { timeout: 300_000 }, () => {
      const out = ensure(workspace, toolCache);
      expect(out.code, out.stderr + out.stdout).toBe(0);
      expect(out.result?.route).toBe('tool-cache');
      expect(out.stdout).toMatch(/onnxruntime-node 1\.30\.0: from the tool cache \(.*\), verified/);
      expect(out.stdout).not.toMatch(/installing/);
    });

    it('a corrupt entry is detected and replaced', { timeout: 900_000 }, () => {
      const binding = path.join(
        entry,
        'node_modules/onnxruntime-node/bin/napi-v6',
        process.platform,
        process.arch,
        'onnxruntime_binding.node',
      );
      truncateSync(binding, 1000);
      const out = ensure(workspace, toolCache);
      expect(out.code, out.stderr + out.stdout).toBe(0);
      expect(out.stdout).toMatch(
        /::warning::onnxruntime-node: the tool cache entry .* is corrupt \(.*onnxruntime_binding\.node does not match its recorded sha256\); replacing it/,
      );
      expect(out.result?.route).toBe('npm-install');
      const again = ensure(workspace, toolCache);
      expect(again.result?.route).toBe('tool-cache');
    });

    it('an entry without its manifest is replaced too', { timeout: 900_000 }, () => {
      rmSync(path.join(entry, '.mlops-ort-manifest.json'));
      const out = ensure(workspace, toolCache);
      expect(out.code, out.stderr + out.stdout).toBe(0);
      expect(out.stdout).toMatch(/is corrupt \(\.mlops-ort-manifest\.json is missing/);
      expect(out.result?.route).toBe('npm-install');
    });
  });

  it('MLOPS_ORT_PATH comes first and is used as given', () => {
    const ort = path.join(root, 'node_modules', 'onnxruntime-node');
    const out = ensure(freshDir('ws-explicit'), freshDir('tc-explicit'), { MLOPS_ORT_PATH: ort });
    expect(out.code, out.stderr).toBe(0);
    expect(out.result?.route).toBe('MLOPS_ORT_PATH');
    expect(out.result?.dir).toBe(ort);
    expect(out.stdout).toMatch(/onnxruntime-node 1\.30\.0: from MLOPS_ORT_PATH/);
  });

  it('MLOPS_ORT_PATH that holds nothing is an error, not a silent install', () => {
    const empty = freshDir('empty-ort-path');
    const out = ensure(freshDir('ws-bad-explicit'), freshDir('tc-bad-explicit'), { MLOPS_ORT_PATH: empty });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`MLOPS_ORT_PATH='${empty}' holds no onnxruntime-node`);
  });

  it("the workspace's node_modules comes before the tool cache", () => {
    const ws = freshDir('ws-node-project');
    mkdirSync(path.join(ws, 'node_modules'));
    symlinkSync(
      path.join(root, 'node_modules', 'onnxruntime-node'),
      path.join(ws, 'node_modules', 'onnxruntime-node'),
    );
    const toolCache = freshDir('tc-node-project');
    const out = ensure(ws, toolCache);
    expect(out.code, out.stderr).toBe(0);
    expect(out.result?.route).toBe('workspace');
    expect(out.stdout).toMatch(/from the workspace's node_modules/);
    expect(readdirSync(toolCache)).toEqual([]);
  });

  it('a failed install says what was tried', { timeout: 300_000 }, () => {
    // A registry on a loopback port nobody listens on, and an empty npm cache.
    const out = ensure(freshDir('ws-offline'), freshDir('tc-offline'), {
      NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/',
      NPM_CONFIG_CACHE: freshDir('empty-npm-cache'),
      NPM_CONFIG_FETCH_RETRIES: '0',
      NPM_CONFIG_PREFER_ONLINE: 'true',
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /onnxruntime-node 1\.30\.0 is not available\. Tried: \(1\) MLOPS_ORT_PATH: not set; \(2\) the workspace: no node_modules\/onnxruntime-node/,
    );
    expect(out.stderr).toMatch(/\(3\) the tool cache: nothing at/);
    expect(out.stderr).toMatch(/\(4\) the Actions cache: not available on this runner/);
    expect(out.stderr).toMatch(
      /\(5\) npm install onnxruntime-node@1\.30\.0 in '.*': exit \d+: .*(ECONNREFUSED|127\.0\.0\.1)/,
    );
    expect(out.stderr).toMatch(/To fix: let the runner reach the npm registry/);
  });

  it('verifyOrt runs a model in a child process and reports a broken binding', async () => {
    const good = await verifyOrt(path.join(root, 'node_modules', 'onnxruntime-node'));
    expect(good).toEqual({ ok: true, version: ORT_VERSION });
    // A copy whose native binding is cut short: digests are not involved, the load itself fails.
    const broken = path.join(freshDir('broken-ort'), 'onnxruntime-node');
    const src = path.join(root, 'node_modules', 'onnxruntime-node');
    cpSync(src, broken, {
      recursive: true,
      filter: (p) =>
        !p.includes(`${path.sep}napi-v6${path.sep}`) ||
        p.includes(path.join('napi-v6', process.platform, process.arch)) ||
        p.endsWith(`napi-v6${path.sep}${process.platform}`),
    });
    symlinkSync(path.join(root, 'node_modules'), path.join(path.dirname(broken), 'node_modules'));
    truncateSync(
      path.join(broken, 'bin/napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'),
      4096,
    );
    const bad = await verifyOrt(broken);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/loading it and running a one-node model failed/);
  });
});
