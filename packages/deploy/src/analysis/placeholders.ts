import type { AnalysisWindow } from './types.js';

/** `{{ canary }}`, `{{ stable }}`, `{{ backend }}`, `{{ interval }}` (window length, e.g. `2000ms`). */
export function resolveQuery(
  template: string,
  values: { canary: string; stable: string; backend?: string; window: AnalysisWindow },
): string {
  const intervalMs = Math.max(1, Math.round(values.window.end - values.window.start));
  return template.replace(/\{\{\s*(canary|stable|backend|interval)\s*\}\}/g, (_m, key: string) => {
    switch (key) {
      case 'canary':
        return values.canary;
      case 'stable':
        return values.stable;
      case 'backend':
        return values.backend ?? '';
      default:
        return `${intervalMs}ms`;
    }
  });
}

/** Placeholders a template uses that this module does not know: a typo like `{{ canry }}`. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)]
    .map((m) => m[1] ?? '')
    .filter((k) => !['canary', 'stable', 'backend', 'interval'].includes(k));
}
