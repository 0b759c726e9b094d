import type { Spec, StageName } from '@mlops-actions/core';

/** Stages in pipeline order, with whether a spec declares each. */
const ORDER: { stage: StageName; declared: (spec: Spec) => boolean }[] = [
  { stage: 'train', declared: (s) => s.train !== undefined },
  { stage: 'evaluate', declared: (s) => s.evaluate !== undefined },
  { stage: 'report', declared: () => true },
  { stage: 'image', declared: (s) => s.image !== undefined },
  { stage: 'load-test', declared: (s) => s.loadTest !== undefined },
  { stage: 'deploy', declared: (s) => s.deploy !== undefined },
  { stage: 'promote', declared: (s) => s.promote !== undefined },
];

export function declaredStages(spec: Spec): StageName[] {
  return ORDER.filter((o) => o.declared(spec)).map((o) => o.stage);
}
