/** loadSpec: read, parse (keeping positions), expand env vars, validate, check, normalise. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { expandEnvInDocument } from './env.js';
import { normalizeSpec } from './normalize.js';
import { positionOf } from './positions.js';
import { SpecError, formatPath } from './problems.js';
import type { PathSegment, SpecProblem } from './problems.js';
import type { RawSpec } from './raw.js';
import { explainSchemaErrors } from './schema-errors.js';
import { specValidator } from './schema.js';
import { checkSemantics } from './semantic.js';
import type { Spec } from './types.js';

export interface LoadSpecOptions {
  /** Variables for `${VAR}` expansion; default `process.env`. */
  env?: Record<string, string | undefined>;
}

export type SpecValidation = { ok: true; spec: Spec; problems: [] } | { ok: false; problems: SpecProblem[] };

/** The path of the key starting at a YAML error's offset, for duplicate keys (`model.name`). */
function keyAtOffset(doc: Document, offset: number): { path: PathSegment[]; key: string } | undefined {
  const walk = (node: unknown, path: PathSegment[]): { path: PathSegment[]; key: string } | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (pair.key.range?.[0] === offset) return { path, key };
        const inner = walk(pair.value, [...path, key]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const inner = walk(node.items[i], [...path, i]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}

function yamlProblem(file: string, doc: Document, lc: LineCounter, error: YAMLError): SpecProblem {
  const { line, col } = lc.linePos(error.pos[0]);
  if (error.code === 'DUPLICATE_KEY') {
    const found = keyAtOffset(doc, error.pos[0]);
    const where = found ? formatPath(found.path) : '';
    return { file, line, column: col, path: where, message: `duplicate key '${found?.key ?? '?'}'` };
  }
  return { file, line, column: col, path: '', message: `YAML syntax error: ${error.message}` };
}

function byPosition(a: SpecProblem, b: SpecProblem): number {
  return a.line - b.line || a.column - b.column;
}

/**
 * With a syntax error the document is cut short, but what comes before the error is real: its
 * misspelt keys and wrong types are reported too, so a user fixes everything in one round.
 * Missing keys are not reported (they may sit after the error).
 */
function schemaProblemsBefore(
  doc: Document,
  lc: LineCounter,
  file: string,
  first: SpecProblem,
): SpecProblem[] {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return [];
  }
  const validate = specValidator();
  if (data === null || typeof data !== 'object' || validate(data)) return [];
  const out: SpecProblem[] = [];
  for (const issue of explainSchemaErrors(validate.errors ?? [], data)) {
    if (issue.missing !== undefined) continue;
    const { line, column } = positionOf(doc, lc, issue.path, { keyName: issue.key, atKey: issue.atKey });
    if (line >= first.line) continue;
    out.push({ file, line, column, path: formatPath(issue.path), message: issue.message });
  }
  return out;
}

/** Validate spec text; `file` is used in messages and to derive `spec.file` / `spec.dir`. */
export function validateSpecText(text: string, file: string, options: LoadSpecOptions = {}): SpecValidation {
  const env = options.env ?? process.env;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const syntax = doc.errors.map((e) => yamlProblem(file, doc, lineCounter, e)).sort(byPosition);
    return {
      ok: false,
      problems: [...schemaProblemsBefore(doc, lineCounter, file, syntax[0]!), ...syntax].sort(byPosition),
    };
  }
  const problems: SpecProblem[] = expandEnvInDocument(doc, lineCounter, env).map((i) => ({
    file,
    line: i.line,
    column: i.column,
    path: formatPath(i.path),
    message: i.message,
  }));
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    problems.push({
      file,
      line: 1,
      column: 1,
      path: '',
      message: 'spec is empty; it needs at least version and model',
    });
    return { ok: false, problems };
  }
  const at = (
    path: PathSegment[],
    opts: { keyName?: string; atKey?: boolean },
    message: string,
  ): SpecProblem => {
    const { line, column } = positionOf(doc, lineCounter, path, opts);
    return { file, line, column, path: formatPath(path), message };
  };
  const validate = specValidator();
  if (!validate(data)) {
    for (const issue of explainSchemaErrors(validate.errors ?? [], data)) {
      problems.push(at(issue.path, { keyName: issue.key, atKey: issue.atKey }, issue.message));
    }
  } else {
    for (const issue of checkSemantics(data as RawSpec)) {
      problems.push(at(issue.path, { atKey: issue.atKey }, issue.message));
    }
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort(byPosition) };

  const absolute = resolve(file);
  const spec: Spec = {
    ...normalizeSpec(data as RawSpec),
    file: absolute,
    dir: dirname(absolute),
    digest: createHash('sha256').update(text).digest('hex'),
  };
  return { ok: true, spec, problems: [] };
}

/** Parse text or throw a SpecError carrying every problem. */
export function parseSpecText(text: string, file: string, options: LoadSpecOptions = {}): Spec {
  const result = validateSpecText(text, file, options);
  if (!result.ok) throw new SpecError(result.problems);
  return result.spec;
}

/** Read, validate and normalise a spec file; throws SpecError (an InputError) listing every problem. */
export async function loadSpec(path: string, options: LoadSpecOptions = {}): Promise<Spec> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new SpecError([
      { file: path, line: 0, column: 0, path: '', message: `cannot read spec: ${reason}` },
    ]);
  }
  const spec = parseSpecText(bytes.toString('utf8'), path, options);
  // The digest is of the bytes on disk (a BOM or CRLF changes it, as it changes the file).
  return { ...spec, digest: createHash('sha256').update(bytes).digest('hex') };
}

/** A path from the spec, resolved against the spec's directory (absolute paths pass through). */
export function resolveSpecPath(spec: Pick<Spec, 'dir'>, p: string): string {
  return isAbsolute(p) ? p : resolve(spec.dir, p);
}
