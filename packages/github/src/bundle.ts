import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageResult } from '@mlops-actions/core';
import { InputError, validateStageResult } from '@mlops-actions/core';

/** The file a PR run saves for upload, and a `workflow_run` job reads back to post the comment. */
export const BUNDLE_FILE = 'mlops-report.json';

export interface ReportBundle {
  schemaVersion: 1;
  kind: 'mlops-report-bundle';
  /** `owner/repo` of the base repository the PR targets. */
  repository: string;
  pullRequest: number;
  /** The PR head the results belong to; checked against the PR before commenting. */
  headSha?: string;
  key: string;
  title?: string;
  runUrl?: string;
  results: StageResult[];
}

export async function saveReportBundle(
  dir: string,
  bundle: Omit<ReportBundle, 'schemaVersion' | 'kind'>,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, BUNDLE_FILE);
  const full: ReportBundle = { schemaVersion: 1, kind: 'mlops-report-bundle', ...bundle };
  await writeFile(file, JSON.stringify(full, null, 2) + '\n', 'utf8');
  return file;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Reads a bundle downloaded from another run's artifact. That artifact was produced by PR code,
 * so it is untrusted: every field is checked and the report renderer escapes all its strings.
 */
export async function readReportBundle(dir: string): Promise<ReportBundle> {
  const file = join(dir, BUNDLE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(`${file}: not found; download the PR run's report artifact into ${dir} first`, {
      file,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`, { file });
  }
  const fail = (field: string, why: string): never => {
    throw new InputError(`${file}: ${field}: ${why}`, { file });
  };
  if (!isObj(data)) return fail('(root)', 'must be an object');
  if (data.kind !== 'mlops-report-bundle') fail('kind', "must be 'mlops-report-bundle'");
  if (data.schemaVersion !== 1)
    fail('schemaVersion', `unsupported version ${JSON.stringify(data.schemaVersion)} (expected 1)`);
  if (typeof data.repository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(data.repository))
    fail('repository', 'must be owner/repo');
  if (!Number.isSafeInteger(data.pullRequest) || (data.pullRequest as number) <= 0)
    fail('pullRequest', 'must be a positive integer');
  if (
    data.headSha !== undefined &&
    (typeof data.headSha !== 'string' || !/^[0-9a-f]{40,64}$/i.test(data.headSha))
  )
    fail('headSha', 'must be a commit SHA');
  if (typeof data.key !== 'string' || !data.key) fail('key', 'must be a non-empty string');
  if (!Array.isArray(data.results)) return fail('results', 'must be an array of stage results');
  data.results.forEach((r, i) => {
    // The one stage-result validator: the same schema every stage writes against.
    const check = validateStageResult(r);
    if (!check.ok) fail(`results[${i}]`, check.problems.join('; '));
  });
  return data as unknown as ReportBundle;
}
