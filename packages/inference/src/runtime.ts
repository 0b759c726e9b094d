import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as OrtNode from 'onnxruntime-node';
import { InputError } from './input-error.js';

export type OrtModule = typeof OrtNode;

export interface OrtLoadOptions {
  /** Directories to resolve `onnxruntime-node` from, in order; when given, nothing else is tried. */
  searchPaths?: string[];
  /** With false, only MLOPS_ORT_PATH is tried (default true: then the workspace, cwd, this module). */
  fallbacks?: boolean;
}

export const INSTALL_HINT =
  'Install it next to your project: `ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node` ' +
  '(the skip avoids its CUDA download; the CPU binaries ship in the package), ' +
  'or set MLOPS_ORT_PATH to the onnxruntime-node folder or a directory whose node_modules holds it.';

function moduleDir(): string | undefined {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

export function ortSearchPaths(opts: OrtLoadOptions = {}): string[] {
  if (opts.searchPaths !== undefined) return opts.searchPaths;
  const env = process.env;
  const candidates =
    opts.fallbacks === false
      ? [env.MLOPS_ORT_PATH]
      : [env.MLOPS_ORT_PATH, env.GITHUB_WORKSPACE, process.cwd(), moduleDir()];
  return [...new Set(candidates.filter((p): p is string => p !== undefined && p !== ''))];
}

function resolveFrom(base: string): string | undefined {
  const dir = path.resolve(base);
  const req = createRequire(path.join(dir, '__mlops_resolve__.js'));
  try {
    return req.resolve('onnxruntime-node');
  } catch {
    // MLOPS_ORT_PATH may also name the package folder itself.
    try {
      const manifest = path.join(dir, 'package.json');
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'onnxruntime-node') {
        return req.resolve(dir);
      }
    } catch {
      /* not the package folder either */
    }
    return undefined;
  }
}

/**
 * Where `onnxruntime-node` lives. The actions are ncc bundles and its 45 MB native binding cannot go
 * into dist/, so it is found at run time: MLOPS_ORT_PATH, then the workspace, cwd, this module.
 */
export function resolveOnnxRuntime(opts: OrtLoadOptions = {}): string {
  const bases = ortSearchPaths(opts);
  for (const base of bases) {
    const found = resolveFrom(base);
    if (found !== undefined) return found;
  }
  const looked =
    bases.length > 0 ? bases.map((b) => `'${b}'`).join(', ') : 'nowhere (MLOPS_ORT_PATH is not set)';
  throw new InputError(`onnxruntime-node was not found; looked from ${looked}. ${INSTALL_HINT}`);
}

const loaded = new Map<string, Promise<OrtModule>>();

/** Import `onnxruntime-node` from where resolveOnnxRuntime finds it (cached per path). */
export function loadOnnxRuntime(opts: OrtLoadOptions = {}): Promise<OrtModule> {
  let resolved: string;
  try {
    resolved = resolveOnnxRuntime(opts);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  let mod = loaded.get(resolved);
  if (mod === undefined) {
    // webpackIgnore keeps ncc from trying to bundle the runtime through this import.
    mod = import(/* webpackIgnore: true */ pathToFileURL(resolved).href).then(
      (m: { default?: OrtModule } & OrtModule) => m.default ?? m,
    );
    loaded.set(resolved, mod);
  }
  return mod;
}
