import * as core from '@actions/core';
import { InputError } from '@mlops-actions/core';
import type { InputReader } from '@mlops-actions/stages';
import { workspacePath } from './workspace.js';

// Inputs are validated once here, with messages that name the input, so the rest of an action
// can trust typed values.

const TRUE = new Set(['true', 'True', 'TRUE', 'yes', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', '0']);

function get(name: string): string {
  return core.getInput(name);
}

function optionalBoolean(name: string): boolean | undefined {
  const value = get(name);
  if (!value) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InputError(`input '${name}' must be true or false, got '${value}'`);
}

/** The runner's inputs (`INPUT_<NAME>`), as every stage's action settings read them. */
export const actionInputs: InputReader = {
  string: (name, fallback = '') => get(name) || fallback,
  optional: (name) => get(name) || undefined,
  optionalBoolean,
  boolean: (name, fallback) => optionalBoolean(name) ?? fallback,
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = get(name);
    if (!value) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InputError(`input '${name}' must be one of ${choices.join(', ')}, got '${value}'`);
  },
  number(name, opts = {}) {
    const value = get(name);
    if (!value) return undefined;
    const n = Number(value);
    if (
      !Number.isFinite(n) ||
      (opts.integer && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min)
    ) {
      const what = `${opts.integer ? 'a whole number' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`;
      throw new InputError(`input '${name}' must be ${what}, got '${value}'`);
    }
    return n;
  },
  path: (name) => {
    const value = get(name);
    return value ? workspacePath(value) : undefined;
  },
  list: (name) =>
    get(name)
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean),
};
