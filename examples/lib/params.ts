/** Reads a trainer's params.yml; every problem names the file and the field. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ParamsNode = Record<string, unknown>;

export function readParams(file: string): ParamsNode {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the params file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`${file}: expected a mapping of parameters`);
  }
  return doc as ParamsNode;
}

export function section(file: string, node: ParamsNode, key: string): ParamsNode {
  const v = node[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`${file}: '${key}' must be a mapping`);
  return v as ParamsNode;
}

export function positiveNumber(file: string, node: ParamsNode, key: string, where = ''): number {
  const v = node[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(
      `${file}: '${where}${key}' must be a positive number, got ${JSON.stringify(v) ?? 'nothing'}`,
    );
  }
  return v;
}

export function positiveInteger(file: string, node: ParamsNode, key: string): number {
  const v = positiveNumber(file, node, key);
  if (!Number.isInteger(v)) throw new Error(`${file}: '${key}' must be a whole number, got ${v}`);
  return v;
}

/** A list of column names, each of which must be one of `known`. */
export function featureList(
  file: string,
  node: ParamsNode,
  key: string,
  known: string[],
  where = '',
): string[] {
  const v = node[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string')) {
    throw new Error(`${file}: '${where}${key}' must be a non-empty list of column names`);
  }
  for (const name of v as string[]) {
    if (!known.includes(name))
      throw new Error(`${file}: '${where}${key}' names '${name}', which is not a feature column`);
  }
  return v as string[];
}
