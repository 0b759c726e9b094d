import { InputError } from '../errors.js';

/** One problem found in a spec, with the position of the node it is about. */
export interface SpecProblem {
  file: string;
  /** 1-based; 0 when the problem is the file as a whole (it cannot be read). */
  line: number;
  column: number;
  /** Dotted path of the field, `evaluate.gates[1].metric`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** `path/to/mlops.yml:12:9: evaluate.gates[1].metric: unknown metric 'acuracy'; did you mean 'accuracy'?` */
export function formatProblem(p: SpecProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Every problem of a spec at once, so a user fixes them in one round. */
export class SpecError extends InputError {
  constructor(readonly problems: SpecProblem[]) {
    const first = problems[0];
    super(
      problems.map(formatProblem).join('\n'),
      first && { file: first.file, ...(first.line > 0 && { line: first.line, column: first.column }) },
    );
    this.name = 'SpecError';
  }
}

export type PathSegment = string | number;

/** `['evaluate', 'gates', 1, 'metric']` → `evaluate.gates[1].metric`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}
