import type { Direction, Measurement } from '../gates/types.js';
import { metricDirection } from '../gates/directions.js';

export interface Change {
  delta: number | null;
  /** ▲ better, ▼ worse, = unchanged, '' when there is nothing to compare. */
  mark: '▲' | '▼' | '=' | '';
  better: boolean | null;
  /** True when the CI of the delta excludes 0, false when it straddles 0, null without a CI. */
  significant: boolean | null;
  /** `▲ better, significant`, `▼ worse, within noise`. */
  text: string;
}

export function directionOf(name: string, m: Measurement): Direction {
  return metricDirection(name, m);
}

export function deltaOf(m: Measurement): number | null {
  if (typeof m.delta === 'number') return m.delta;
  if (typeof m.candidate === 'number' && typeof m.baseline === 'number') return m.candidate - m.baseline;
  return null;
}

/** Whether the change is an improvement depends on the metric: a lower log_loss is better. */
export function describeChange(name: string, m: Measurement): Change {
  const delta = deltaOf(m);
  const significant = m.ci ? m.ci[0] > 0 || m.ci[1] < 0 : null;
  const noise = significant === null ? '' : significant ? ', significant' : ', within noise';
  if (delta === null || !Number.isFinite(delta)) {
    return { delta, mark: '', better: null, significant, text: '' };
  }
  if (delta === 0) return { delta, mark: '=', better: null, significant, text: `= unchanged${noise}` };
  const direction = directionOf(name, m);
  if (direction === 'neutral') {
    return { delta, mark: '', better: null, significant, text: `changed${noise}` };
  }
  const better = direction === 'higher-is-better' ? delta > 0 : delta < 0;
  return {
    delta,
    mark: better ? '▲' : '▼',
    better,
    significant,
    text: `${better ? '▲ better' : '▼ worse'}${noise}`,
  };
}
