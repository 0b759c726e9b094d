import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_VERSION } from '@mlops-actions/core';
import type { ToolVersions } from './types.js';

/** One version for the whole tool (core's TOOL_VERSION, kept equal to package.json by a test). */
export function mlopsActionsVersion(): string {
  return TOOL_VERSION;
}

/** onnxruntime-node as the user's project resolves it, else as mlops-actions does; absent if neither. */
export function onnxRuntimeVersion(specDir: string): string | undefined {
  for (const from of [path.join(specDir, 'noop.js'), fileURLToPath(import.meta.url)]) {
    try {
      const file = createRequire(from).resolve('onnxruntime-node/package.json');
      const version = readJson(file)?.version;
      if (typeof version === 'string') return version;
    } catch {
      // Not resolvable from here.
    }
  }
  return undefined;
}

export function toolVersions(specDir: string, override?: string): ToolVersions {
  const versions: ToolVersions = {
    node: process.version,
    'mlops-actions': override ?? mlopsActionsVersion(),
  };
  const ort = onnxRuntimeVersion(specDir);
  if (ort !== undefined) versions['onnxruntime-node'] = ort;
  return versions;
}

function readJson(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
