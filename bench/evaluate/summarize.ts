/**
 * Reads what run.sh left in bench/out/evaluate/ and prints the summary table and the ratios; writes
 * summary.json. `node --import tsx bench/evaluate/summarize.ts [dir]`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? join('bench', 'out', 'evaluate');
const METRICS = ['roc_auc', 'pr_auc', 'accuracy', 'log_loss', 'f1', 'brier'] as const;

interface Measured {
  wallSeconds: number;
  cpuSeconds?: number;
  maxRssMB: number;
  source: string;
}

/** `/usr/bin/time -v` output, when run.sh had it; else the wall clock run.sh took itself. */
function measured(name: string, fallbackRssMB: number): Measured {
  const timeFile = join(dir, `${name}.time`);
  const text = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
  const field = (label: string) =>
    text
      .split('\n')
      .find((l) => l.trim().startsWith(label))
      ?.split(': ')[1];
  const elapsed = field('Elapsed (wall clock) time');
  if (elapsed) {
    const wallSeconds = elapsed
      .trim()
      .split(':')
      .reduce((acc, part) => acc * 60 + Number(part), 0);
    return {
      wallSeconds,
      cpuSeconds: Number(field('User time (seconds)')) + Number(field('System time (seconds)')),
      maxRssMB: Number(field('Maximum resident set size (kbytes)')) / 1024,
      source: '/usr/bin/time -v',
    };
  }
  const wall = Number(readFileSync(join(dir, `${name}.wall`), 'utf8'));
  return { wallSeconds: wall, maxRssMB: fallbackRssMB, source: 'date + getrusage in the process' };
}

const json = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const evaluate = json('eval/evaluate.json');
const infer = JSON.parse(readFileSync(join(dir, 'b.stdout'), 'utf8').trim().split('\n').pop()!);
const peer = json('peer.json');

const a = measured('a', NaN);
const b = measured('b', infer.maxRssMB);
const c = measured('c', peer.maxRssMB);
const phases: Record<string, number> = evaluate.timings.phases;

const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const rows: string[][] = [
  ['run', 'wall s', 'cpu s', 'peak RSS MB', 'notes'],
  [
    '(a) mlops evaluate (CLI bundle)',
    f(a.wallSeconds),
    f(a.cpuSeconds ?? NaN),
    f(a.maxRssMB, 0),
    `evaluate.json durationMs ${evaluate.timings.durationMs}`,
  ],
  [
    '(b) predict only, both models',
    f(infer.predictSeconds),
    '',
    f(b.maxRssMB, 0),
    `process wall ${f(b.wallSeconds)} s incl. CSV read ${f(infer.readSeconds)} s; batch phases ${f(infer.candidateBatchSeconds)} + ${f(infer.baselineBatchSeconds)} s`,
  ],
  [
    '(c) numpy peer (no inference)',
    f(peer.seconds),
    f(c.cpuSeconds ?? NaN),
    f(c.maxRssMB, 0),
    `process wall ${f(c.wallSeconds)} s incl. untimed sklearn check ${f(peer.sklearnCheckSeconds)} s`,
  ],
];
const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
const line = (r: string[]) => '| ' + r.map((cell, j) => cell.padEnd(widths[j]!)).join(' | ') + ' |';
console.log(line(rows[0]!));
console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |');
for (const r of rows.slice(1)) console.log(line(r));

console.log(
  '\n(a) phases, s: ' +
    Object.entries(phases)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
      .join(', '),
);
console.log(
  `(c) phases, s: ${Object.entries(peer.timings as Record<string, number>)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ')}`,
);

const ratioAC = a.wallSeconds / peer.seconds;
const ratioAB = a.wallSeconds / infer.predictSeconds;
console.log(`\n(a)/(c) = ${ratioAC.toFixed(3)}  (goal <= 0.5: ${ratioAC <= 0.5 ? 'met' : 'NOT met'})`);
console.log(`(a)/(b) = ${ratioAB.toFixed(3)}`);
console.log(
  `(a) peak RSS ${a.maxRssMB.toFixed(0)} MB (goal < 2048 MB: ${a.maxRssMB < 2048 ? 'met' : 'NOT met'})`,
);

// Same scores in, so the point metrics must agree; the intervals differ only by the RNG.
let maxDiff = 0;
for (const m of METRICS) {
  const v = evaluate.values[m];
  maxDiff = Math.max(
    maxDiff,
    Math.abs(v.candidate - peer.point.candidate[m]),
    Math.abs(v.baseline - peer.point.baseline[m]),
  );
}
console.log(`\npoint metrics, ours vs peer: max |diff| ${maxDiff.toExponential(1)}`);
for (const m of METRICS) {
  const ours = evaluate.values[m];
  const theirs = peer.deltas[m];
  console.log(
    `${m.padEnd(9)} delta ${ours.delta.toFixed(6)}  ours ci [${ours.ci[0].toFixed(6)}, ${ours.ci[1].toFixed(6)}]  peer ci [${theirs.ci[0].toFixed(6)}, ${theirs.ci[1].toFixed(6)}]`,
  );
}

writeFileSync(
  join(dir, 'summary.json'),
  JSON.stringify(
    { a: { ...a, phasesMs: phases }, b: { ...b, ...infer }, c: { ...c, ...peer }, ratioAC, ratioAB, maxDiff },
    null,
    2,
  ),
);
