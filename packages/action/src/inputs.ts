import * as core from '@actions/core';
import { InputError } from '@mlops-actions/core';

// Inputs are validated once here, with messages that name the input, so the rest of an action
// can trust typed values.

export function stringInput(name: string, fallback = ''): string {
  return core.getInput(name) || fallback;
}

export function requiredInput(name: string): string {
  const value = core.getInput(name);
  if (!value) throw new InputError(`input '${name}' is required`);
  return value;
}

export function optionalInput(name: string): string | undefined {
  return core.getInput(name) || undefined;
}

const TRUE = new Set(['true', 'True', 'TRUE', 'yes', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', '0']);

export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name);
  if (!value) return fallback;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InputError(`input '${name}' must be true or false, got '${value}'`);
}

export function choiceInput<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = core.getInput(name);
  if (!value) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input '${name}' must be one of ${choices.join(', ')}, got '${value}'`);
}

export function numberInput(name: string, fallback?: number): number | undefined {
  const value = core.getInput(name);
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InputError(`input '${name}' must be a number, got '${value}'`);
  return n;
}
