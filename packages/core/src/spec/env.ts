/**
 * `${VAR}` and `${VAR:-default}` in string values, expanded on the YAML nodes (not the text) so
 * a variable can never inject YAML structure and every failure keeps its line and column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { Document, LineCounter } from 'yaml';
import type { PathSegment } from './problems.js';

export interface EnvIssue {
  path: PathSegment[];
  line: number;
  column: number;
  message: string;
}

// `$${...}` is an escape for a literal `${...}` (e.g. for the shell of train.run).
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function expandString(
  text: string,
  env: Record<string, string | undefined>,
  onUndefined: (name: string, index: number) => void,
): string {
  return text.replace(
    REFERENCE,
    (match: string, name: string | undefined, fallback: string | undefined, index: number) => {
      if (match === '$${') return '${';
      const value = env[name!];
      // Like the shell's `:-`: an empty variable also takes the default.
      if (fallback !== undefined) return value ? value : fallback;
      if (value === undefined) {
        onUndefined(name!, index);
        return match;
      }
      return value;
    },
  );
}

/** Offset in the source of character `index` of a scalar's value (exact for plain and simple quoted scalars). */
function sourceOffset(node: Scalar, index: number): number {
  const start = node.range?.[0] ?? 0;
  if (node.type === Scalar.PLAIN) return start + index;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) return start + 1 + index;
  return start;
}

export function expandEnvInDocument(
  doc: Document,
  lineCounter: LineCounter,
  env: Record<string, string | undefined>,
): EnvIssue[] {
  const issues: EnvIssue[] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isAlias(node)) return; // its target is expanded where it is defined
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      node.value = expandString(node.value, env, (name, index) => {
        const { line, col } = lineCounter.linePos(sourceOffset(node, index));
        issues.push({
          path,
          line,
          column: col,
          message: `undefined environment variable '${name}' (set it, or write \${${name}:-default})`,
        });
      });
    }
  };
  walk(doc.contents, []);
  return issues;
}
