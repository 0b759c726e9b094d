import {
  loadSpec as loadCoreSpec,
  parseSpecText as parseCoreSpecText,
  validateSpecText as validateCore,
} from '@mlops-actions/core';
import type { LoadSpecOptions, SectionCheck, Spec, SpecValidation } from '@mlops-actions/core';
import { STAGE_LIST } from './list.js';

/** Each stage's own checks, so `loadSpec` rejects a bad section at its line before any work. */
export const SECTION_CHECKS: readonly SectionCheck[] = STAGE_LIST.map((s) => ({
  key: s.specKey,
  ...(s.check && { check: s.check }),
}));

type Options = Omit<LoadSpecOptions, 'sections'>;

/** Reads, validates (schema, shared checks and every stage's checks) and normalises mlops.yml. */
export function loadSpec(path: string, options: Options = {}): Promise<Spec> {
  return loadCoreSpec(path, { ...options, sections: SECTION_CHECKS });
}

export function parseSpecText(text: string, file: string, options: Options = {}): Spec {
  return parseCoreSpecText(text, file, { ...options, sections: SECTION_CHECKS });
}

export function validateSpecText(text: string, file: string, options: Options = {}): SpecValidation {
  return validateCore(text, file, { ...options, sections: SECTION_CHECKS });
}

/** The stages a spec declares, in pipeline order. */
export function declaredStages(spec: Spec): string[] {
  return STAGE_LIST.filter((s) => s.declared(spec)).map((s) => s.name);
}
