/**
 * Turns ajv's errors (compiled with `allErrors` and `verbose`) into one plain sentence per problem.
 * Shared by the spec loader and the stage-result reader, so both speak the same words.
 */
import type { ErrorObject } from 'ajv';
import type { PathSegment } from './problems.js';
import { suggest } from './suggest.js';

export interface SchemaIssue {
  /** The field the message is about (the parent object for unknown and missing keys). */
  path: PathSegment[];
  message: string;
  /** Position the problem at this key of `path`'s object instead of at `path`'s value. */
  key?: string;
  /** Position the problem at `path`'s key (missing keys: the parent's key line). */
  atKey?: boolean;
  /** Internal: lets an "unknown key, did you mean X" absorb the "missing required key X" it explains. */
  suggested?: string;
  missing?: string;
  typeMismatch?: boolean;
}

type SchemaNode = Record<string, unknown>;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `string 'abc'`, `number 5`, `a list`: what the user actually wrote. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string '${shown}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

function typeAccepts(type: unknown, value: unknown): boolean {
  if (type === undefined) return true;
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  const actual = jsonType(value);
  return types.some(
    (t) => t === actual || (t === 'integer' && typeof value === 'number' && Number.isInteger(value)),
  );
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function quoteList(items: readonly unknown[]): string {
  return items.map((i) => `'${String(i)}'`).join(', ');
}

function typeList(type: unknown): string {
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  return joinOr(types.map((t) => TYPE_NAMES[t] ?? t));
}

/** JSON pointer → segments, typed by the data so array indexes print as `[1]`. */
function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(seg);
      out.push(index);
      node = node[index];
    } else {
      out.push(seg);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function branchLabel(branch: SchemaNode): string {
  const examples = branch.examples as unknown[] | undefined;
  if (typeof branch.title === 'string' && examples?.length) {
    return `${/^[aeiou]/i.test(branch.title) ? 'an' : 'a'} ${branch.title} like '${String(examples[0])}'`;
  }
  return typeList(branch.type);
}

function explainOne(e: ErrorObject, root: unknown): SchemaIssue {
  const path = pointerToPath(e.instancePath, root);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const title = typeof parent.title === 'string' ? parent.title : undefined;
  switch (e.keyword) {
    case 'type':
      return {
        path,
        typeMismatch: true,
        message: `expected ${typeList(params.type)}, got ${describeValue(e.data)}`,
      };
    case 'required': {
      const missing = String(params.missingProperty);
      return { path, atKey: true, missing, message: `missing required key '${missing}'` };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties as SchemaNode | undefined) ?? {});
      const guess = suggest(key, allowed);
      const hint = guess ? `did you mean '${guess}'?` : `allowed keys: ${allowed.join(', ')}`;
      return { path, key, suggested: guess, message: `unknown key '${key}'; ${hint}` };
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      const pattern = (parent.propertyNames as SchemaNode | undefined)?.pattern;
      return {
        path,
        key,
        message: `invalid key '${key}'${pattern ? ` (must match ${String(pattern)})` : ''}`,
      };
    }
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const value = e.data;
      const what = title ?? 'value';
      if (typeof value !== 'string') {
        return { path, message: `expected one of ${quoteList(allowed)}, got ${describeValue(value)}` };
      }
      const guess = suggest(value, allowed.map(String));
      const hint = guess ? `did you mean '${guess}'?` : `expected one of: ${allowed.join(', ')}`;
      return { path, message: `unknown ${what} '${value}'; ${hint}` };
    }
    case 'const':
      return {
        path,
        message: `expected ${JSON.stringify(params.allowedValue)}, got ${describeValue(e.data)}`,
      };
    case 'pattern': {
      const examples = (parent.examples as unknown[] | undefined) ?? [];
      const like = examples.length ? `; expected a value like ${quoteList(examples)}` : '';
      return {
        path,
        message: title
          ? `invalid ${title} '${String(e.data)}'${like}`
          : `'${String(e.data)}' does not match ${String(params.pattern)}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        message: `must be ${String(params.comparison)} ${String(params.limit)}, got ${String(e.data)}`,
      };
    case 'minLength':
      return {
        path,
        message:
          params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} characters`,
      };
    case 'minItems':
      return { path, message: `must have at least ${String(params.limit)} item(s)` };
    case 'maxItems':
      return { path, message: `must have at most ${String(params.limit)} item(s)` };
    case 'uniqueItems': {
      const i = Number(params.i);
      const items = e.data as unknown[];
      return {
        path: [...path, i],
        message: `duplicate item ${describeValue(items[i])} (same as item ${String(params.j)})`,
      };
    }
    default:
      return { path, message: e.message ?? `fails ${e.keyword}` };
  }
}

function isComposite(e: ErrorObject): boolean {
  return e.keyword === 'oneOf' || e.keyword === 'anyOf';
}

function within(e: ErrorObject, c: ErrorObject, branch?: number): boolean {
  const prefix = branch === undefined ? `${c.schemaPath}/` : `${c.schemaPath}/${branch}/`;
  return e !== c && e.instancePath.startsWith(c.instancePath) && e.schemaPath.startsWith(prefix);
}

/** One message for a oneOf/anyOf instead of one per failed branch. */
function collapse(c: ErrorObject, errors: ErrorObject[], root: unknown): SchemaIssue[] {
  const path = pointerToPath(c.instancePath, root);
  const branches = (c.schema as SchemaNode[]) ?? [];
  const params = c.params as Record<string, unknown>;
  if (c.keyword === 'oneOf' && Array.isArray(params.passingSchemas)) {
    return [{ path, message: 'matches more than one allowed form; make it unambiguous' }];
  }
  const onlyRequired = branches.every(
    (b) => Object.keys(b).length === 1 && Array.isArray(b.required) && b.required.length === 1,
  );
  if (onlyRequired) {
    const keys = branches.map((b) => `'${String((b.required as string[])[0])}'`);
    return [{ path, message: `needs at least one of ${joinOr(keys)}` }];
  }
  const fitting = branches.map((b, i) => ({ b, i })).filter(({ b }) => typeAccepts(b.type, c.data));
  if (fitting.length === 0) {
    return [
      {
        path,
        typeMismatch: true,
        message: `expected ${joinOr(branches.map(branchLabel))}, got ${describeValue(c.data)}`,
      },
    ];
  }
  let best: ErrorObject[] | undefined;
  for (const { i } of fitting) {
    const mine = errors.filter((e) => within(e, c, i));
    if (!best || mine.length < best.length) best = mine;
  }
  return explainList(best ?? [], root);
}

function explainList(errors: ErrorObject[], root: unknown): SchemaIssue[] {
  const relevant = errors.filter((e) => e.keyword !== 'if' && !(e as { propertyName?: string }).propertyName);
  const consumed = new Set<ErrorObject>();
  const issues: SchemaIssue[] = [];
  // Outer composites first: their members (including nested composites) are theirs to explain.
  const composites = relevant
    .filter(isComposite)
    .sort(
      (a, b) => a.instancePath.length - b.instancePath.length || a.schemaPath.length - b.schemaPath.length,
    );
  for (const c of composites) {
    if (consumed.has(c)) continue;
    const members = relevant.filter((e) => within(e, c));
    members.forEach((m) => consumed.add(m));
    consumed.add(c);
    issues.push(...collapse(c, members, root));
  }
  for (const e of relevant) {
    if (!consumed.has(e)) issues.push(explainOne(e, root));
  }
  return issues;
}

const pathKey = (p: PathSegment[]) => JSON.stringify(p);

/** ajv errors → deduplicated issues, in document order of their paths as ajv reported them. */
export function explainSchemaErrors(errors: readonly ErrorObject[], root: unknown): SchemaIssue[] {
  const issues = explainList([...errors], root);
  // A value of the wrong type fails both the node's own type list and the branch it fell into;
  // keep the wider statement ("a string or an object").
  const typeIssues = new Map<string, SchemaIssue>();
  for (const issue of issues) {
    if (!issue.typeMismatch) continue;
    const k = pathKey(issue.path);
    const prev = typeIssues.get(k);
    if (!prev || issue.message.length > prev.message.length) typeIssues.set(k, issue);
  }
  const explainedMissing = new Set(
    issues.filter((i) => i.suggested).map((i) => `${pathKey(i.path)}:${i.suggested}`),
  );
  const seen = new Set<string>();
  return issues.filter((issue) => {
    if (issue.typeMismatch && typeIssues.get(pathKey(issue.path)) !== issue) return false;
    if (issue.missing && explainedMissing.has(`${pathKey(issue.path)}:${issue.missing}`)) return false;
    const k = `${pathKey(issue.path)}:${issue.key ?? ''}:${issue.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
