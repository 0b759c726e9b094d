import { InputError } from './input-error.js';
import { nearestName } from './suggest.js';
import type { LoadEvalDataOptions } from './types.js';

/** Which file columns (by index) feed which part of EvalData. */
export interface ColumnPlan {
  featureNames: string[];
  featureIdx: number[];
  labelIdx: number;
  idName?: string;
  idIdx: number;
  extraNames: string[];
  extraIdx: number[];
  /** 1-based positions of columns with an empty header name (never features, never read). */
  unnamed: number[];
}

function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 40).map((c) => `'${c.length > 60 ? `${c.slice(0, 60)}…` : c}'`);
  if (columns.length > 40) shown.push(`… (${columns.length - 40} more)`);
  return shown.join(', ');
}

function missing(file: string, role: string, name: string, columns: readonly string[]): InputError {
  const near = nearestName(name, columns);
  const hint = near !== undefined ? ` Did you mean '${near}'?` : '';
  return new InputError(
    `${file}: ${role} column '${name}' not found.${hint} The file has columns: ${listColumns(columns)}`,
    { file, line: 1 },
  );
}

export function planColumns(
  file: string,
  columns: readonly string[],
  opts: Pick<LoadEvalDataOptions, 'label' | 'features' | 'id' | 'extraColumns' | 'nonFeatures'>,
): ColumnPlan {
  const index = new Map<string, number>();
  const duplicated = new Set<string>();
  const unnamed: number[] = [];
  columns.forEach((c, i) => {
    // An empty name is a trailing comma, pandas' index column or a spreadsheet's blank header: no
    // one can name it in the spec, so it cannot be a deliberate feature.
    if (c.trim() === '') unnamed.push(i + 1);
    else if (index.has(c)) duplicated.add(c);
    else index.set(c, i);
  });
  const find = (role: string, name: string): number => {
    const i = index.get(name);
    if (i === undefined)
      throw missing(
        file,
        role,
        name,
        columns.filter((c) => c.trim() !== ''),
      );
    if (duplicated.has(name)) {
      throw new InputError(`${file}: column '${name}' appears more than once in the header`, {
        file,
        line: 1,
      });
    }
    return i;
  };

  const labelIdx = find('label', opts.label);
  const idIdx = opts.id !== undefined ? find('id', opts.id) : -1;
  const extraNames = [...new Set(opts.extraColumns ?? [])];
  const extraIdx = extraNames.map((c) => find('slice', c));

  let featureNames: string[];
  if (opts.features !== undefined) {
    featureNames = opts.features;
    for (const f of featureNames) {
      if (f === opts.label)
        throw new InputError(`${file}: '${f}' is the label column and cannot be a feature`);
    }
    const seen = new Set<string>();
    for (const f of featureNames) {
      if (seen.has(f)) throw new InputError(`${file}: feature '${f}' is listed twice`);
      seen.add(f);
    }
  } else {
    const notFeatures = new Set([
      opts.label,
      ...(opts.id !== undefined ? [opts.id] : []),
      ...(opts.nonFeatures ?? extraNames),
    ]);
    featureNames = columns.filter((c, i) => c.trim() !== '' && !notFeatures.has(c) && index.get(c) === i);
  }
  if (featureNames.length === 0) {
    throw new InputError(
      `${file}: no feature columns: every column is the label, the id, a slice column or unnamed (${listColumns(columns)})`,
      { file },
    );
  }
  const featureIdx = featureNames.map((f) => find('feature', f));
  return {
    featureNames,
    featureIdx,
    labelIdx,
    ...(opts.id !== undefined ? { idName: opts.id } : {}),
    idIdx,
    extraNames,
    extraIdx,
    unnamed,
  };
}
