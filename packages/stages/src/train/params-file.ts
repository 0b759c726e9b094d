import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '@mlops-actions/core';

/** Hyper-parameters for the model card; YAML 1.2 is a superset of JSON, so one parser reads both. */
export async function readParams(abs: string, display: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch {
    throw new InputError(`train params file '${display}' does not exist (looked for ${abs})`, { file: abs });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lines.linePos(first.pos[0]);
    const where = `:${pos.line}:${pos.col}`;
    throw new InputError(`train params file ${display}${where}: ${first.message}`, {
      file: abs,
      line: pos.line,
      column: pos.col,
    });
  }
  return doc.toJS() ?? null;
}
