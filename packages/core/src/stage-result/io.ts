/**
 * Stage results on disk: `<dir>/<stage>.json` (normally `.mlops/`), written atomically so a
 * reader in a parallel job never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { validateStageResult } from './schema.js';
import type { StageName, StageResult } from './types.js';

export function stageResultPath(dir: string, stage: StageName): string {
  return join(dir, `${stage}.json`);
}

/** Validates before writing (a stage must not publish a result readers will reject); returns the path. */
export async function writeStageResult(dir: string, result: StageResult): Promise<string> {
  const check = validateStageResult(result);
  if (!check.ok) {
    throw new InputError(`invalid ${result.stage ?? 'stage'} result: ${check.problems.join('; ')}`);
  }
  await mkdir(dir, { recursive: true });
  const target = stageResultPath(dir, result.stage);
  const temp = join(dir, `.${result.stage}.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(result, null, 2)}\n`);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return target;
}

type Parsed = { kind: 'result'; result: StageResult } | { kind: 'foreign' };

async function parseFile(file: string): Promise<Parsed> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`, { file });
  }
  // Other tools may drop JSON next to the results; only files that claim to be one are checked.
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('stage' in value)) {
    return { kind: 'foreign' };
  }
  const check = validateStageResult(value);
  if (!check.ok) {
    throw new InputError(`${file}: not a valid stage result: ${check.problems.join('; ')}`, { file });
  }
  return { kind: 'result', result: check.result };
}

/** Every stage result in `dir`, by name; [] when the directory does not exist. */
export async function readStageResults(dir: string): Promise<StageResult[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const results: StageResult[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const parsed = await parseFile(join(dir, name));
    if (parsed.kind === 'result') results.push(parsed.result);
  }
  // Pipeline order is the stage list's business (the report sorts); here, a stable order.
  return results.sort((a, b) => a.stage.localeCompare(b.stage));
}

/** One stage's result, or undefined when it has not been written. */
export async function readStageResult(dir: string, stage: StageName): Promise<StageResult | undefined> {
  const file = stageResultPath(dir, stage);
  let parsed: Parsed;
  try {
    parsed = await parseFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (parsed.kind === 'foreign')
    throw new InputError(`${file}: not a stage result (no 'stage' key)`, { file });
  if (parsed.result.stage !== stage) {
    throw new InputError(`${file}: holds the '${parsed.result.stage}' result, expected '${stage}'`, { file });
  }
  return parsed.result;
}
