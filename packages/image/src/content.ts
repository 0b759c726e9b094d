/**
 * What goes into the added layers, as tar entries: the model server (the `mlops` CLI bundle and
 * the parts of onnxruntime-node one platform needs), the model with its card, the serving config.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InputError, toPosix } from '@mlops-actions/core';
import type { TarEntry } from './tar.js';

/** Where things live inside the image. */
export const IMAGE_PATHS = {
  root: '/opt/mlops',
  cli: '/opt/mlops/cli/index.js',
  modelDir: '/opt/mlops/model',
  serveConfig: '/opt/mlops/serve.json',
  /** Handed to the server as MLOPS_ORT_PATH; its node_modules holds onnxruntime-node. */
  ortBase: '/opt/mlops',
} as const;

function inImage(p: string): string {
  return p.replace(/^\/+/, '');
}

async function walk(dir: string, rel = ''): Promise<{ rel: string; abs: string; mode: number }[]> {
  const out: { rel: string; abs: string; mode: number }[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    const abs = path.join(dir, childRel);
    const info = await stat(abs);
    if (info.isDirectory()) out.push(...(await walk(dir, childRel)));
    else if (info.isFile()) out.push({ rel: childRel, abs, mode: info.mode });
  }
  return out;
}

/** Fixed modes: executable stays executable (0755), everything else is 0644; owners are root. */
function fileEntry(target: string, abs: string, hostMode: number): TarEntry {
  return { path: target, type: 'file', source: { file: abs }, mode: hostMode & 0o111 ? 0o755 : 0o644 };
}

export interface ServerSources {
  /** Directory of the `mlops` CLI bundle (packages/cli/dist: index.js + package.json). */
  cliDist: string;
  /** The onnxruntime-node package directory. */
  ortDir: string;
  /** The onnxruntime-common package directory (its dependency). */
  ortCommonDir: string;
}

/** Finds onnxruntime-node (and -common) the way the CLI does: from `from`'s node_modules upward. */
export function locateServerSources(cliDist: string, from: string = cliDist): ServerSources {
  const req = createRequire(path.join(path.resolve(from), '__mlops_image__.js'));
  let ortPkg: string;
  try {
    ortPkg = req.resolve('onnxruntime-node/package.json');
  } catch {
    throw new InputError(
      `onnxruntime-node was not found from ${from}; the image's model server needs its native binding (install it with ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node)`,
    );
  }
  const ortDir = path.dirname(ortPkg);
  const reqOrt = createRequire(ortPkg);
  let commonDir: string | undefined;
  try {
    // Its `exports` map hides package.json: resolve the entry point and walk up to the package.
    let dir = path.dirname(reqOrt.resolve('onnxruntime-common'));
    while (commonDir === undefined && dir !== path.dirname(dir)) {
      if (path.basename(dir) === 'onnxruntime-common' && existsSync(path.join(dir, 'package.json')))
        commonDir = dir;
      dir = path.dirname(dir);
    }
  } catch {
    commonDir = undefined;
  }
  if (commonDir === undefined) throw new InputError(`onnxruntime-common (needed by ${ortDir}) was not found`);
  return { cliDist: path.resolve(cliDist), ortDir, ortCommonDir: commonDir };
}

function isRuntimeJs(rel: string): boolean {
  return /\.(c|m)?js$|\.json$/.test(rel) && !rel.endsWith('.d.ts') && !rel.endsWith('.map');
}

/** The server layer for one architecture (`x64`/`arm64`): no other platform's 100 MB binaries. */
export async function serverEntries(src: ServerSources, arch: 'x64' | 'arm64'): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const cliFiles = await walk(src.cliDist).catch(() => {
    throw new InputError(`model server bundle directory ${src.cliDist} is missing (build the CLI first)`);
  });
  if (!cliFiles.some((f) => f.rel === 'index.js')) {
    throw new InputError(
      `${src.cliDist}/index.js is missing: the image needs the mlops CLI bundle (npm run build)`,
    );
  }
  for (const f of cliFiles)
    entries.push(fileEntry(`${inImage(IMAGE_PATHS.root)}/cli/${f.rel}`, f.abs, f.mode));

  const ortTarget = `${inImage(IMAGE_PATHS.ortBase)}/node_modules/onnxruntime-node`;
  const binRel = `bin/napi-v6/linux/${arch}`;
  const binFiles = await walk(path.join(src.ortDir, binRel)).catch(() => []);
  if (binFiles.length === 0) {
    throw new InputError(
      `${path.join(src.ortDir, binRel)} is missing: onnxruntime-node has no linux/${arch} binary here`,
    );
  }
  for (const f of binFiles)
    entries.push({
      path: `${ortTarget}/${binRel}/${f.rel}`,
      type: 'file',
      source: { file: f.abs },
      mode: 0o755,
    });
  for (const f of await walk(src.ortDir)) {
    if (
      f.rel === 'package.json' ||
      /^LICENSE/i.test(f.rel) ||
      (f.rel.startsWith('dist/') && isRuntimeJs(f.rel))
    ) {
      entries.push(fileEntry(`${ortTarget}/${f.rel}`, f.abs, f.mode & ~0o111));
    }
  }
  const commonTarget = `${inImage(IMAGE_PATHS.ortBase)}/node_modules/onnxruntime-common`;
  for (const f of await walk(src.ortCommonDir)) {
    if (
      f.rel === 'package.json' ||
      /^LICENSE/i.test(f.rel) ||
      (f.rel.startsWith('dist/') && isRuntimeJs(f.rel))
    ) {
      entries.push(fileEntry(`${commonTarget}/${f.rel}`, f.abs, f.mode & ~0o111));
    }
  }
  return entries;
}

export interface ModelSources {
  /** The model file (or a directory model). */
  model: string;
  /** Its model card (model-card.json), when there is one. */
  card?: string;
}

/** Model (+ card) under /opt/mlops/model; returns the entries and the model's path in the image. */
export async function modelEntries(src: ModelSources): Promise<{ entries: TarEntry[]; modelPath: string }> {
  const info = await stat(src.model).catch(() => {
    throw new InputError(`model ${src.model} does not exist (train it first, or fix model.path)`);
  });
  const name = path.basename(src.model);
  const modelPath = `${IMAGE_PATHS.modelDir}/${name}`;
  const entries: TarEntry[] = [];
  if (info.isDirectory()) {
    for (const f of await walk(src.model))
      entries.push(fileEntry(`${inImage(modelPath)}/${toPosix(f.rel)}`, f.abs, 0));
  } else {
    entries.push(fileEntry(inImage(modelPath), src.model, 0));
  }
  if (src.card !== undefined) {
    entries.push(fileEntry(`${inImage(IMAGE_PATHS.modelDir)}/model-card.json`, src.card, 0));
  }
  return { entries, modelPath };
}

export function serveConfigEntries(serveConfig: unknown): TarEntry[] {
  return [
    {
      path: inImage(IMAGE_PATHS.serveConfig),
      type: 'file',
      source: `${JSON.stringify(serveConfig, null, 2)}\n`,
    },
  ];
}
