/**
 * onnxruntime-node for actions that run in a user's repository. The ncc bundles cannot carry ORT's
 * native binding (45 MB per platform), and a user's repository (often a Python project) has no
 * node_modules, so an action finds the runtime, or installs the exact version this repository
 * pins into the runner's tool cache and keeps it across runs with the Actions cache.
 *
 * Lookup order: MLOPS_ORT_PATH, the workspace's node_modules, the tool cache, the Actions cache
 * (restored into the tool cache), `npm install` into the tool cache. Every entry taken from a
 * cache is checked against the file digests written when it was installed and by running a
 * one-node model in a child process, so a truncated or half-restored entry is replaced instead of
 * crashing the evaluation later.
 */
import type { Logger } from '@mlops-actions/core';
// The errors module alone: this file must load even while the rest of core or inference is broken.
import { InputError } from '@mlops-actions/core/errors';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';

// Loaded on use: most stage actions never install the runtime, and these packages are large.
const toolCache = () => import('@actions/tool-cache');
const actionsCacheModule = () => import('@actions/cache');
import path from 'node:path';

export const ORT_PACKAGE = 'onnxruntime-node';
/** The version and tarball digest in this repository's package-lock.json (a test keeps them equal). */
export const ORT_VERSION = '1.30.0';
export const ORT_INTEGRITY =
  'sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw==';
/** Tool-cache folder name; distinct from a plain `onnxruntime-node` another tool might cache. */
export const ORT_TOOL_NAME = 'mlops-onnxruntime-node';
/** Bump when the layout of a cached entry changes, so old Actions-cache entries are not reused. */
const LAYOUT = 1;
const MANIFEST = '.mlops-ort-manifest.json';

/**
 * `y = x + 1` over float[2] (IR 8, opset 15), built with packages/onnx-build: small enough to embed,
 * and running it proves the binding loads, the shared library links and a session runs.
 */
export const PROBE_MODEL_BASE64 =
  'CAgSGG1sb3BzLWFjdGlvbnMvb25ueC1idWlsZBoFMC4xLjAyADpgChkKAXgKA29uZRIBeRoFQWRkX3kiA0FkZDoAEg9tbG9wcy1vcnQtcHJvYmUqEAoBARABIgQAAIA/QgNvbmVaDwoBeBIKCggIARIECgIIAmIPCgF5EgoKCAgBEgQKAggCQgQKABAP';

export type OrtRoute = 'MLOPS_ORT_PATH' | 'workspace' | 'tool-cache' | 'actions-cache' | 'npm-install';

export interface EnsureOrtOptions {
  /** Where the workspace's node_modules is looked for (default GITHUB_WORKSPACE, else cwd). */
  workspace?: string;
  /** npm executable (default `npm` on PATH). */
  npm?: string;
  /** Use the Actions cache when the runner provides it (default true). */
  actionsCache?: boolean;
  /** Set MLOPS_ORT_PATH in process.env to the result, so loadOnnxRuntime and its workers find it (default true). */
  setEnv?: boolean;
}

export interface EnsureOrtResult {
  /** The onnxruntime-node package folder. */
  dir: string;
  route: OrtRoute;
  version: string;
}

export type VerifyResult = { ok: true; version: string } | { ok: false; reason: string };

/** Installs and caches ORT when needed; resolves with the onnxruntime-node package folder. */
export async function ensureOrt(log: Logger, opts: EnsureOrtOptions = {}): Promise<string> {
  return (await ensureOrtDetailed(log, opts)).dir;
}

export async function ensureOrtDetailed(log: Logger, opts: EnsureOrtOptions = {}): Promise<EnsureOrtResult> {
  // process.env, not a copy: @actions/tool-cache reads RUNNER_TOOL_CACHE from it.
  const result = await locate(log, process.env, opts);
  if (opts.setEnv !== false) process.env.MLOPS_ORT_PATH = result.dir;
  return result;
}

async function locate(log: Logger, env: NodeJS.ProcessEnv, opts: EnsureOrtOptions): Promise<EnsureOrtResult> {
  const tried: string[] = [];

  // An explicit setting that points nowhere is a mistake to report, not a reason to install.
  const explicit = env.MLOPS_ORT_PATH;
  if (explicit) {
    const dir = findPackage(explicit);
    if (!dir) {
      throw new InputError(
        `MLOPS_ORT_PATH='${explicit}' holds no ${ORT_PACKAGE} (neither the package folder nor a ` +
          `node_modules with it); fix it or unset it to let the action install ${ORT_PACKAGE}@${ORT_VERSION}.`,
      );
    }
    const version = packageVersion(dir);
    log.info(`${ORT_PACKAGE} ${version}: from MLOPS_ORT_PATH (${dir})`);
    return { dir, route: 'MLOPS_ORT_PATH', version };
  }
  tried.push('MLOPS_ORT_PATH: not set');

  const workspace = path.resolve(opts.workspace ?? env.GITHUB_WORKSPACE ?? process.cwd());
  const inWorkspace = findPackage(workspace);
  if (inWorkspace) {
    const version = packageVersion(inWorkspace);
    log.info(`${ORT_PACKAGE} ${version}: from the workspace's node_modules (${inWorkspace})`);
    return { dir: inWorkspace, route: 'workspace', version };
  }
  tried.push(`the workspace: no node_modules/${ORT_PACKAGE} from '${workspace}'`);

  const arch = process.arch;
  const cacheRoot = env.RUNNER_TOOL_CACHE;
  if (!cacheRoot) {
    tried.push('the tool cache: RUNNER_TOOL_CACHE is not set (not on a runner)');
    throw notFound(tried, 'set MLOPS_ORT_PATH, or install it in the workspace');
  }
  const toolDir = path.join(cacheRoot, ORT_TOOL_NAME, ORT_VERSION, arch);
  const cacheKey = `mlops-ort-${LAYOUT}-${ORT_VERSION}-${process.platform}-${arch}`;
  const cachePaths = [toolDir, `${toolDir}.complete`];
  const timer = stopwatch();

  let corrupt = false;
  const cached = (await toolCache()).find(ORT_TOOL_NAME, ORT_VERSION, arch);
  if (cached) {
    const check = await checkEntry(cached);
    if (check.ok) {
      log.info(`${ORT_PACKAGE} ${check.version}: from the tool cache (${cached}), verified in ${timer()}`);
      return { dir: packageDirIn(cached), route: 'tool-cache', version: check.version };
    }
    log.warn(`${ORT_PACKAGE}: the tool cache entry ${cached} is corrupt (${check.reason}); replacing it`);
    await removeEntry(cached);
    corrupt = true;
    tried.push(`the tool cache: entry at '${cached}' was corrupt (${check.reason}) and was removed`);
  } else {
    tried.push(`the tool cache: nothing at '${toolDir}'`);
  }

  const useActionsCache = opts.actionsCache !== false && (await actionsCacheAvailable());
  if (useActionsCache && !corrupt) {
    const restored = await restoreFromActionsCache(log, cachePaths, cacheKey);
    if (restored && existsSync(`${toolDir}.complete`)) {
      const check = await checkEntry(toolDir);
      if (check.ok) {
        log.info(
          `${ORT_PACKAGE} ${check.version}: restored from the Actions cache (key ${cacheKey}) into ` +
            `${toolDir}, verified in ${timer()}`,
        );
        return { dir: packageDirIn(toolDir), route: 'actions-cache', version: check.version };
      }
      log.warn(
        `${ORT_PACKAGE}: the Actions cache entry ${cacheKey} is corrupt (${check.reason}); reinstalling`,
      );
      await removeEntry(toolDir);
      tried.push(`the Actions cache: entry ${cacheKey} was corrupt (${check.reason})`);
    } else {
      tried.push(`the Actions cache: no entry ${cacheKey}`);
    }
  } else if (!useActionsCache) {
    tried.push('the Actions cache: not available on this runner');
  }

  log.info(
    `${ORT_PACKAGE}: not found; installing ${ORT_PACKAGE}@${ORT_VERSION} with npm into the tool cache`,
  );
  const installed = await installIntoToolCache(env, opts.npm ?? 'npm', arch, tried);
  log.info(`${ORT_PACKAGE} ${ORT_VERSION}: installed with npm into ${installed} and verified in ${timer()}`);
  if (useActionsCache) await saveToActionsCache(log, cachePaths, cacheKey);
  return { dir: packageDirIn(installed), route: 'npm-install', version: ORT_VERSION };
}

function notFound(tried: string[], fix: string): InputError {
  return new InputError(
    `${ORT_PACKAGE} ${ORT_VERSION} is not available. Tried: ${tried.map((t, i) => `(${i + 1}) ${t}`).join('; ')}. ` +
      `To fix: ${fix}.`,
  );
}

/** The package folder under `base`: `base` itself, or what Node resolves from it. */
function findPackage(base: string): string | undefined {
  const abs = path.resolve(base);
  if (isOrtPackage(abs)) return abs;
  let entry: string;
  try {
    entry = createRequire(path.join(abs, '__mlops_resolve__.js')).resolve(ORT_PACKAGE);
  } catch {
    return undefined;
  }
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    if (isOrtPackage(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isOrtPackage(dir: string): boolean {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name === ORT_PACKAGE;
  } catch {
    return false;
  }
}

function packageVersion(dir: string): string {
  try {
    return String(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

function packageDirIn(entry: string): string {
  return path.join(entry, 'node_modules', ORT_PACKAGE);
}

function stopwatch(): () => string {
  const t0 = Date.now();
  return () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

async function actionsCacheAvailable(): Promise<boolean> {
  try {
    return (await actionsCacheModule()).isFeatureAvailable();
  } catch {
    return false;
  }
}

async function restoreFromActionsCache(log: Logger, paths: string[], key: string): Promise<boolean> {
  try {
    return (await (await actionsCacheModule()).restoreCache(paths, key)) !== undefined;
  } catch (err) {
    // A cache outage must not fail the evaluation: installing is the slower, equal alternative.
    log.warn(`${ORT_PACKAGE}: could not restore the Actions cache ${key}: ${(err as Error).message}`);
    return false;
  }
}

async function saveToActionsCache(log: Logger, paths: string[], key: string): Promise<void> {
  try {
    await (await actionsCacheModule()).saveCache(paths, key);
    log.info(`${ORT_PACKAGE}: saved to the Actions cache (key ${key})`);
  } catch (err) {
    // Another job of the same run may have saved the key first; that entry is as good as ours.
    log.info(`${ORT_PACKAGE}: not saved to the Actions cache (${(err as Error).message})`);
  }
}

async function removeEntry(entry: string): Promise<void> {
  await rm(`${entry}.complete`, { force: true });
  await rm(entry, { recursive: true, force: true });
}

/**
 * npm without the variables a parent npm process sets (`npm test`, `npx`): they would point the
 * install at the parent's project. The user's own settings (registry, proxy, cache) stay.
 */
function npmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const inherited =
    /^npm_(package_|lifecycle_|command$|config_(local_prefix|prefix|global|workspaces?|include_workspace_root|save|save_dev)$)/i;
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!inherited.test(k)) clean[k] = v;
  // --ignore-scripts already skips ORT's CUDA download; the variable covers a wrapper that drops flags.
  clean.ONNXRUNTIME_NODE_INSTALL = 'skip';
  return clean;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // npm is npm.cmd on Windows, which only a shell runs.
      shell: process.platform === 'win32',
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function lastLines(text: string, n = 8): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' | ');
}

/** npm's error code and message, without the stack and the object dump it prints after them. */
function npmFailure(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/^npm (error|ERR!)\s?/, '').trim())
    .filter((l) => l && !/^(at |[{}]|\w+: ['\d]|syscall |errno |A complete log)/.test(l));
  return lines.slice(0, 4).join(' | ') || lastLines(text);
}

async function installIntoToolCache(
  env: NodeJS.ProcessEnv,
  npm: string,
  arch: string,
  tried: string[],
): Promise<string> {
  const staging = await mkdtemp(path.join(env.RUNNER_TEMP || os.tmpdir(), 'mlops-ort-'));
  try {
    await writeFile(
      path.join(staging, 'package.json'),
      JSON.stringify({
        name: 'mlops-ort-runtime',
        version: '0.0.0',
        private: true,
        description: `${ORT_PACKAGE} for mlops-actions, installed by the action`,
        dependencies: { [ORT_PACKAGE]: ORT_VERSION },
      }),
    );
    const args = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=error'];
    const what = `npm install ${ORT_PACKAGE}@${ORT_VERSION} in '${staging}'`;
    const ran = await run(npm, args, { cwd: staging, env: npmEnv(env), timeoutMs: 15 * 60_000 });
    if (ran.error || ran.code !== 0) {
      const why = ran.error
        ? `could not start '${npm}': ${ran.error.message}`
        : `exit ${ran.code ?? 'killed'}: ${npmFailure(ran.stderr || ran.stdout) || 'no output'}`;
      tried.push(`${what}: ${why}`);
      throw notFound(
        tried,
        'let the runner reach the npm registry (or the one `npm config get registry` names), or set ' +
          `MLOPS_ORT_PATH to a folder holding ${ORT_PACKAGE}, or run \`ONNXRUNTIME_NODE_INSTALL=skip npm i ` +
          `${ORT_PACKAGE}@${ORT_VERSION}\` in the workspace before this step`,
      );
    }
    const lock = JSON.parse(await readFile(path.join(staging, 'package-lock.json'), 'utf8')) as {
      packages?: Record<string, { version?: string; integrity?: string }>;
    };
    const entry = lock.packages?.[`node_modules/${ORT_PACKAGE}`];
    if (entry?.version !== ORT_VERSION || entry.integrity !== ORT_INTEGRITY) {
      tried.push(
        `${what}: got version ${entry?.version ?? 'none'} with integrity ${entry?.integrity ?? 'none'}, ` +
          `expected ${ORT_VERSION} with ${ORT_INTEGRITY}`,
      );
      throw notFound(tried, 'check that the npm registry the runner uses serves the genuine package');
    }
    await pruneOtherPlatforms(packageDirIn(staging));
    await writeManifest(staging);
    const cached = await (await toolCache()).cacheDir(staging, ORT_TOOL_NAME, ORT_VERSION, arch);
    const check = await checkEntry(cached);
    if (!check.ok) {
      await removeEntry(cached);
      tried.push(`${what}: installed, but the runtime does not work here: ${check.reason}`);
      throw notFound(tried, `check that ${ORT_PACKAGE} ${ORT_VERSION} supports ${process.platform}/${arch}`);
    }
    return cached;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The package ships every platform's binaries (≈290 MB); one platform's are ≈45 MB to cache. */
async function pruneOtherPlatforms(pkgDir: string): Promise<void> {
  const bin = path.join(pkgDir, 'bin', 'napi-v6');
  if (!existsSync(bin)) return;
  for (const platform of await readdir(bin)) {
    const platformDir = path.join(bin, platform);
    if (platform !== process.platform) {
      await rm(platformDir, { recursive: true, force: true });
      continue;
    }
    for (const arch of await readdir(platformDir)) {
      if (arch !== process.arch) await rm(path.join(platformDir, arch), { recursive: true, force: true });
    }
  }
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  }
  await walk(root);
  return out.sort();
}

function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

interface Manifest {
  package: string;
  version: string;
  integrity: string;
  platform: string;
  arch: string;
  files: Record<string, string>;
}

async function writeManifest(entry: string): Promise<void> {
  const files: Record<string, string> = {};
  for (const rel of await listFiles(entry)) {
    if (rel !== MANIFEST) files[rel] = await fileSha256(path.join(entry, rel));
  }
  const manifest: Manifest = {
    package: ORT_PACKAGE,
    version: ORT_VERSION,
    integrity: ORT_INTEGRITY,
    platform: process.platform,
    arch: process.arch,
    files,
  };
  await writeFile(path.join(entry, MANIFEST), JSON.stringify(manifest, null, 1));
}

/** Digests first (cheap, names the broken file), then a real session in a child process. */
export async function checkEntry(entry: string): Promise<VerifyResult> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(entry, MANIFEST), 'utf8')) as Manifest;
  } catch (err) {
    return {
      ok: false,
      reason: `${MANIFEST} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? err})`,
    };
  }
  if (manifest.version !== ORT_VERSION || manifest.integrity !== ORT_INTEGRITY) {
    return { ok: false, reason: `it holds version ${manifest.version}, not ${ORT_VERSION}` };
  }
  for (const [rel, digest] of Object.entries(manifest.files)) {
    let actual: string;
    try {
      actual = await fileSha256(path.join(entry, rel));
    } catch {
      return { ok: false, reason: `${rel} is missing` };
    }
    if (actual !== digest) return { ok: false, reason: `${rel} does not match its recorded sha256` };
  }
  return verifyOrt(packageDirIn(entry));
}

const PROBE_SCRIPT = `
const dir = process.argv[1];
(async () => {
  const ort = require(dir);
  const version = require(require('node:path').join(dir, 'package.json')).version;
  const session = await ort.InferenceSession.create(Buffer.from(process.argv[2], 'base64'));
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
  const y = Array.from(out.y.data);
  if (y[0] !== 2 || y[1] !== 3) throw new Error('the probe model returned [' + y.join(', ') + '], expected [2, 3]');
  await session.release();
  process.stdout.write(JSON.stringify({ version }));
})().catch((e) => { process.stderr.write(String((e && e.message) || e)); process.exit(1); });
`;

/**
 * Loads onnxruntime-node from `pkgDir` and runs the one-node probe model, in a child process so
 * that a broken native binding fails the check instead of crashing (or poisoning) this process.
 */
export async function verifyOrt(pkgDir: string): Promise<VerifyResult> {
  const ran = await run(process.execPath, ['-e', PROBE_SCRIPT, pkgDir, PROBE_MODEL_BASE64], {
    timeoutMs: 120_000,
  });
  if (ran.error) return { ok: false, reason: `could not start node: ${ran.error.message}` };
  if (ran.code !== 0) {
    return {
      ok: false,
      reason: `loading it and running a one-node model failed: ${lastLines(ran.stderr, 3) || `exit ${ran.code}`}`,
    };
  }
  try {
    return { ok: true, version: String((JSON.parse(ran.stdout) as { version: string }).version) };
  } catch {
    return { ok: false, reason: `the probe printed '${ran.stdout.slice(0, 200)}'` };
  }
}
