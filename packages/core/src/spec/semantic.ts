/**
 * Checks the schema cannot express, on schema-valid data; each issue keeps a path for its
 * position. Core checks the parts every stage shares; each stage checks its own section (its
 * definition's `check`) with `checkGateList` for its gates.
 */
import { metricUnit } from '../gates/directions.js';
import { parseExpression, unitFactor } from '../gates/expression.js';
import { InputError } from '../errors.js';
import { formatFromExtension } from './normalize.js';
import type { PathSegment } from './problems.js';
import type { RawGate, RawSpec } from './raw.js';
import { suggest } from './suggest.js';

export interface SemanticIssue {
  path: PathSegment[];
  message: string;
  atKey?: boolean;
}

function checkFormat(
  source: { path: string; format?: string } | undefined,
  at: PathSegment[],
  issues: SemanticIssue[],
) {
  if (source && !source.format && !formatFromExtension(source.path)) {
    issues.push({
      path: [...at, 'path'],
      message: `cannot tell the format of '${source.path}' from its extension; set format (csv, jsonl or parquet)`,
    });
  }
}

export function checkCoreSemantics(raw: RawSpec): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  checkFormat(raw.data?.eval, ['data', 'eval'], issues);
  checkFormat(raw.data?.reference, ['data', 'reference'], issues);
  const ev = raw.data?.eval;
  const at = ev?.features?.indexOf(ev.label) ?? -1;
  if (ev && at >= 0) {
    issues.push({
      path: ['data', 'eval', 'features', at],
      message: `the label '${ev.label}' cannot also be a feature (the model would be handed the answer)`,
    });
  }
  const classes = raw.model.classes;
  if (classes) {
    if (raw.model.task === 'binary-classification' && classes.length !== 2) {
      issues.push({
        path: ['model', 'classes'],
        message: `a binary-classification model has 2 classes, got ${classes.length} (${classes.join(', ')}); set task: multiclass-classification or list two`,
      });
    }
    const seen = new Set<string>();
    classes.forEach((c, i) => {
      const key = `${typeof c}:${String(c)}`;
      if (seen.has(key))
        issues.push({ path: ['model', 'classes', i], message: `class ${String(c)} is listed twice` });
      seen.add(key);
    });
    if (raw.model.task === 'regression') {
      issues.push({
        path: ['model', 'classes'],
        message: 'a regression model has no classes; remove model.classes',
      });
    }
  }
  return issues;
}

/** What a stage measures, so its gates can be checked when the spec loads rather than after the work. */
export interface Measures {
  /** Names the stage writes into `values`, e.g. `p(99)`, `error_rate`. */
  names: readonly string[];
  /** Other names it may write (per-class metrics, custom queries): true when `name` is one. */
  accepts?: (name: string) => boolean;
  /** Checks a metric gate's name; returns the problem, or undefined when the name is fine. */
  metricProblem?: (name: string) => string | undefined;
  /** Whether tests gates (JUnit files) make sense for this stage. */
  tests?: boolean;
}

const PERCENTILE = /^p\((\d+(?:\.\d+)?)\)$/;

function known(measures: Measures, name: string): boolean {
  if (measures.names.includes(name) || measures.accepts?.(name)) return true;
  // `p(97.5)` on a stage that measures latency percentiles: any percentile can be computed.
  const p = PERCENTILE.exec(name);
  return p !== null && Number(p[1]) <= 100 && measures.names.some((n) => PERCENTILE.test(n));
}

function unknownMessage(name: string, measures: Measures, stage: string): string {
  const names = [...measures.names];
  const hint = suggest(name, names);
  const list = names.length
    ? ` (it measures: ${names.join(', ')})`
    : ' (it measures nothing a gate can read)';
  return `'${name}' is not measured by ${stage}${hint ? `; did you mean '${hint}'?` : list}`;
}

/**
 * Every gate of a list that can never be meaningful is an issue at its own line: unparsable
 * expressions, unknown measurements or units (k6#1526: a typo'd threshold must not pass
 * silently), min above max, NaN or infinite bounds.
 */
export function checkGateList(
  gates: RawGate[] | undefined,
  base: PathSegment[],
  stage: string,
  measures: Measures,
): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  gates?.forEach((gate, i) => {
    const at = [...base, i];
    if (typeof gate === 'string' || 'expr' in gate) {
      const text = typeof gate === 'string' ? gate : gate.expr;
      const path = typeof gate === 'string' ? at : [...at, 'expr'];
      let parsed;
      try {
        parsed = parseExpression(text);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        issues.push({ path, message: err.message });
        return;
      }
      if (!known(measures, parsed.metric)) {
        issues.push({ path, message: unknownMessage(parsed.metric, measures, stage) });
        return;
      }
      if (!Number.isFinite(parsed.value)) {
        issues.push({ path, message: `threshold of '${text}' is not a finite number` });
        return;
      }
      const unit = metricUnit(parsed.metric);
      if (parsed.unit && unitFactor(parsed.unit, unit) === undefined) {
        issues.push({
          path,
          message: `unit '${parsed.unit}' does not fit '${parsed.metric}' (measured in ${unit === 'none' ? 'plain numbers' : unit})`,
        });
      }
      return;
    }
    if ('tests' in gate) {
      if (measures.tests === false) {
        issues.push({ path: at, message: `${stage} reads no JUnit results; put tests gates under evaluate` });
      }
      return;
    }
    const problem = measures.metricProblem?.(gate.metric);
    if (problem) {
      issues.push({ path: [...at, 'metric'], message: problem });
    } else if (!measures.metricProblem && !known(measures, gate.metric)) {
      issues.push({ path: [...at, 'metric'], message: unknownMessage(gate.metric, measures, stage) });
    }
    for (const bound of ['min', 'max'] as const) {
      const v = gate[bound];
      if (v !== undefined && !Number.isFinite(v)) {
        issues.push({ path: [...at, bound], message: `${bound} must be a finite number, got ${String(v)}` });
      }
    }
    if (gate.min !== undefined && gate.max !== undefined && gate.min > gate.max) {
      issues.push({
        path: [...at, 'min'],
        message: `min ${gate.min} is greater than max ${gate.max}: no value can pass this gate`,
      });
    }
    if (
      gate.min === undefined &&
      gate.max === undefined &&
      gate['max-drop'] === undefined &&
      gate['max-increase'] === undefined
    ) {
      issues.push({
        path: at,
        atKey: true,
        message: 'a metric gate needs min, max, max-drop or max-increase',
      });
    }
  });
  return issues;
}
