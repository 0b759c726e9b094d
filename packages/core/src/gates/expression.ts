import { InputError } from '../errors.js';
import type { Unit } from './types.js';

/**
 * k6-style threshold expressions: `p(99) < 50ms`, `error_rate < 0.1%`, `rps >= 1000`,
 * `roc_auc >= 0.8`. The left side names a measurement, the right side is a number with an optional
 * unit that is converted to the measurement's canonical unit before comparing.
 */

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type ExpressionUnit = 'ms' | 's' | 'us' | '%' | '/s';

export interface ParsedExpression {
  /** The expression as written, trimmed. */
  text: string;
  /** Left side with spaces removed: `p( 99 )` → `p(99)`. */
  metric: string;
  op: Operator;
  value: number;
  unit?: ExpressionUnit;
}

const SHAPE =
  /^\s*([A-Za-z_][A-Za-z0-9_.]*(?:\(\s*[0-9]+(?:\.[0-9]+)?\s*\))?)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*([^\s0-9].*?)?\s*$/;

const UNITS: Record<string, ExpressionUnit> = {
  ms: 'ms',
  s: 's',
  us: 'us',
  µs: 'us',
  μs: 'us',
  '%': '%',
  '/s': '/s',
};

/** Parses an expression; an unparsable one is a spec problem, so it throws `InputError`. */
export function parseExpression(text: string): ParsedExpression {
  const m = SHAPE.exec(text);
  if (!m) {
    throw new InputError(
      `cannot parse gate expression '${text}': expected '<measurement> <operator> <number>[unit]', ` +
        `e.g. 'p(99) < 50ms' (operators < <= > >= == !=; units ms s us % /s)`,
    );
  }
  const [, left = '', op = '<', number = '', unitText] = m;
  const parsed: ParsedExpression = {
    text: text.trim(),
    metric: left.replace(/\s+/g, ''),
    op: op as Operator,
    value: Number(number),
  };
  if (unitText !== undefined) {
    const unit = UNITS[unitText];
    if (!unit) {
      throw new InputError(
        `cannot parse gate expression '${text}': unknown unit '${unitText}' (known: ms, s, us, µs, %, /s)`,
      );
    }
    parsed.unit = unit;
  }
  return parsed;
}

/** Factor from an expression unit to a canonical unit, or undefined when they don't fit. */
export function unitFactor(unit: ExpressionUnit | undefined, target: Unit): number | undefined {
  if (unit === undefined) return 1;
  const table: Partial<Record<Unit, Partial<Record<ExpressionUnit, number>>>> = {
    ms: { ms: 1, s: 1000, us: 0.001 },
    ratio: { '%': 0.01 },
    'per-second': { '/s': 1 },
  };
  return table[target]?.[unit];
}

export function compare(observed: number, op: Operator, threshold: number): boolean {
  // `==` on measured floats would almost never hold; compare to a relative epsilon instead.
  const equal = Math.abs(observed - threshold) <= 1e-9 * Math.max(1, Math.abs(observed), Math.abs(threshold));
  switch (op) {
    case '<':
      return observed < threshold && !equal;
    case '<=':
      return observed <= threshold || equal;
    case '>':
      return observed > threshold && !equal;
    case '>=':
      return observed >= threshold || equal;
    case '==':
      return equal;
    case '!=':
      return !equal;
  }
}
