/**
 * Maps a data path back to the YAML node it came from, for `file:line:col` in every problem.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { PathSegment } from './problems.js';

export interface Position {
  line: number;
  column: number;
}

export interface Located {
  /** The deepest node found along the path (the value). */
  value?: Node;
  /** The key node of the last map entry walked into. */
  key?: Node;
  /** True when the whole path was found. */
  complete: boolean;
}

function unalias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

export function locateNode(doc: Document, path: readonly PathSegment[], keyName?: string): Located {
  let node = unalias(doc, doc.contents);
  let key: Node | undefined;
  const segments = keyName === undefined ? path : [...path, keyName];
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
      );
      if (!pair) return { value: node, key, complete: false };
      key = (pair.key as Node | null) ?? undefined;
      node = unalias(doc, pair.value);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return { value: node, key, complete: false };
      key = undefined;
      node = unalias(doc, item);
    } else {
      return { value: (node as Node | null) ?? undefined, key, complete: false };
    }
  }
  return { value: (node as Node | null) ?? undefined, key, complete: true };
}

function nodeStart(node: Node | undefined): number | undefined {
  return node?.range?.[0];
}

/**
 * Where to point for a problem at `path`: the key itself when `keyName` is given (unknown keys)
 * or `atKey` is set (missing keys are reported on their parent's key line), else the value,
 * falling back to the key when the value is empty (`model:` with nothing after it).
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  options: { keyName?: string; atKey?: boolean } = {},
): Position {
  const found = locateNode(doc, path, options.keyName);
  let offset: number | undefined;
  const emptyValue = isScalar(found.value) && found.value.value === null;
  if ((options.keyName !== undefined || options.atKey || emptyValue || !found.complete) && found.key) {
    offset = nodeStart(found.key);
  }
  offset ??= nodeStart(found.value) ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
