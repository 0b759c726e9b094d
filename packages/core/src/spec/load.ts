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
import { checkCoreSemantics } from './semantic.js';
import type { SemanticIssue } from './semantic.js';
import type { Spec } from './types.js';

/** A stage's semantic checks of its own section (its definition's `check`). */
export interface SectionCheck {
  key: string;
  check?(section: unknown, spec: Spec): SemanticIssue[];
}

export interface LoadSpecOptions {
  /** Variables for `${VAR}` expansion; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The stages' checks; without them only the shared parts are checked beyond the schema. */
  sections?: readonly SectionCheck[];
}

/** Limits that keep a hostile or broken file from exhausting memory or the stack. */
const MAX_ALIASES = 100;
const MAX_DEPTH = 64;

function depthOf(node: unknown, depth = 0): number {
  if (depth > MAX_DEPTH) return depth;
  let max = depth;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      const value = isPair(item) ? item.value : item;
      max = Math.max(max, depthOf(value, depth + 1));
      if (max > MAX_DEPTH) break;
    }
  }
  return max;
}

/** The document as plain data, or the plain-words reason it cannot be one. */
function toData(doc: Document): { data: unknown } | { reason: string } {
  if (depthOf(doc.contents) > MAX_DEPTH) {
    return { reason: `the document nests deeper than ${MAX_DEPTH} levels; a spec needs a handful` };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
  } catch (err) {
    const message = (err as Error).message;
    if (/alias count/i.test(message)) {
      return { reason: `too many alias expansions (over ${MAX_ALIASES}): the file looks like an alias bomb` };
    }
    if (/unresolved alias|alias/i.test(message)) return { reason: `YAML alias error: ${message}` };
    if (err instanceof RangeError) return { reason: 'the document is nested too deeply to read' };
    return { reason: `cannot read the YAML document: ${message}` };
  }
}

function parseYaml(text: string, lineCounter: LineCounter): Document | { reason: string } {
  try {
    return parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (err) {
    if (err instanceof RangeError) return { reason: 'the document is nested too deeply to read' };
    return { reason: `cannot parse YAML: ${(err as Error).message}` };
  }
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
  // The parser reports runaway nesting as its own stack overflow: say what it means instead.
  if (/call stack/i.test(error.message)) {
    return {
      file,
      line,
      column: col,
      path: '',
      message: `the document nests too deeply to read (limit ${MAX_DEPTH} levels; a spec needs a handful)`,
    };
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
  const read = toData(doc);
  if ('reason' in read) return [];
  const data = read.data;
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
  const parsed = parseYaml(text, lineCounter);
  if ('reason' in parsed) {
    return { ok: false, problems: [{ file, line: 1, column: 1, path: '', message: parsed.reason }] };
  }
  const doc = parsed;
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
  const read = toData(doc);
  if ('reason' in read) {
    problems.push({ file, line: 1, column: 1, path: '', message: read.reason });
    return { ok: false, problems };
  }
  const data = read.data;
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
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort(byPosition) };

  const absolute = resolve(file);
  const raw = data as RawSpec & Record<string, unknown>;
  const spec: Spec = {
    ...normalizeSpec(raw),
    file: absolute,
    dir: dirname(absolute),
    digest: createHash('sha256').update(text).digest('hex'),
  };
  const issues = [...checkCoreSemantics(raw)];
  for (const section of options.sections ?? []) {
    if (section.check && spec.sections[section.key] !== undefined) {
      issues.push(...section.check(spec.sections[section.key], spec));
    }
  }
  for (const issue of issues) problems.push(at(issue.path, { atKey: issue.atKey }, issue.message));
  if (problems.length > 0) return { ok: false, problems: problems.sort(byPosition) };
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
