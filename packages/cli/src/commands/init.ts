import { InputError, TOOL_VERSION, UsageError } from '@mlops-actions/core';
import { inspectModel, type ModelInspection } from '@mlops-actions/inference';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

type Task = 'binary-classification' | 'multiclass-classification' | 'regression';
const TASKS: Task[] = ['binary-classification', 'multiclass-classification', 'regression'];

const REPO = 'mlops-actions/mlops-actions';
const SPEC_FILE = 'mlops.yml';
const PR_WORKFLOW = '.github/workflows/mlops-pr.yml';
const COMMENT_WORKFLOW = '.github/workflows/mlops-pr-comment.yml';
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.mlops',
  '.venv',
  'venv',
  '__pycache__',
  '.github',
  'dist',
]);
/** Names a label column usually has, best first. */
const LABEL_NAMES = ['label', 'target', 'y', 'class', 'outcome', 'labels', 'targets'];
const LABEL_PATTERN = /(^is_|^has_|label|target|class$|churn|outcome|default$|fraud|survived|diagnosis)/i;

export interface InitOptions {
  dir: string;
  model?: string;
  data?: string;
  label?: string;
  task?: string;
  name?: string;
  baseline?: string;
  train?: string;
  branch: string;
  ref: string;
  force: boolean;
}

export interface InitResult {
  written: string[];
  skipped: string[];
  /** What was detected, one line each, for the terminal. */
  notes: string[];
}

interface Detected {
  name: string;
  model: string;
  data: string;
  label: string;
  task: Task;
  features?: number;
  inspection: ModelInspection;
}

async function findFiles(dir: string, test: (name: string) => boolean, depth = 3): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, level: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (level < depth && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(p, level + 1);
      } else if (e.isFile() && test(e.name)) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  }
  await walk(dir, 0);
  return out.sort();
}

function pickOne(kind: string, flag: string, found: string[], prefer: RegExp[]): string {
  if (found.length === 1) return found[0]!;
  for (const re of prefer) {
    const hits = found.filter((f) => re.test(f));
    if (hits.length === 1) return hits[0]!;
  }
  if (found.length === 0) throw new UsageError(`mlops init: no ${kind} found here; pass ${flag} PATH`);
  throw new UsageError(
    `mlops init: several ${kind}s found (${found.join(', ')}); pass ${flag} PATH to choose`,
  );
}

/** Header and up to `limit` rows of a CSV or JSON Lines file: enough to name the label and guess the task. */
export async function sampleTable(
  file: string,
  limit = 5000,
): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(
      `${file}: cannot read the data: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      {
        file,
      },
    );
  });
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (/\.jsonl?$|\.ndjson$/i.test(file)) {
    const rows = lines.slice(0, limit).map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new InputError(`${file}:${i + 1}: not a JSON object`, { file, line: i + 1 });
      }
    });
    return { columns: [...new Set(rows.flatMap((r) => Object.keys(r)))], rows };
  }
  if (!/\.(csv|tsv|txt)$/i.test(file)) {
    throw new UsageError(
      `mlops init: cannot read columns of '${file}' (CSV and JSON Lines only); pass --label and --task`,
    );
  }
  const sep = /\.tsv$/i.test(file) ? '\t' : ',';
  const split = (line: string): string[] => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === sep) {
        cells.push(cur);
        cur = '';
      } else cur += c;
    }
    cells.push(cur);
    return cells.map((s) => s.trim());
  };
  const [header, ...body] = lines;
  if (header === undefined) throw new InputError(`${file}: the file is empty`, { file });
  const columns = split(header);
  const rows = body.slice(0, limit).map((l) => {
    const cells = split(l);
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  });
  return { columns, rows };
}

function guessLabel(
  columns: string[],
  features: number | undefined,
): { label: string; why: string } | undefined {
  for (const name of LABEL_NAMES) {
    const hit = columns.find((c) => c.toLowerCase() === name);
    if (hit) return { label: hit, why: `the column named '${hit}'` };
  }
  const like = columns.filter((c) => LABEL_PATTERN.test(c));
  if (like.length === 1) return { label: like[0]!, why: `the only column whose name looks like a label` };
  if (features !== undefined && columns.length === features + 1) {
    return {
      label: columns[columns.length - 1]!,
      why: `the last column (the model takes ${features} features)`,
    };
  }
  return undefined;
}

/** The model's outputs say the task when they are tensors of known width; the label's values otherwise. */
function guessTask(inspection: ModelInspection, values: unknown[]): { task: Task; why: string } | undefined {
  const tensors = inspection.outputs.filter((o) => o.isTensor);
  const probs = tensors.find(
    (o) => /^float/.test(o.type) && o.shape.length === 2 && typeof o.shape[1] === 'number',
  );
  const hasLabelOutput = tensors.some((o) => /int|string/.test(o.type));
  if (probs && (hasLabelOutput || /prob/i.test(probs.name))) {
    const k = probs.shape[1] as number;
    if (k === 2)
      return { task: 'binary-classification', why: `output '${probs.name}' holds 2 class probabilities` };
    if (k > 2)
      return {
        task: 'multiclass-classification',
        why: `output '${probs.name}' holds ${k} class probabilities`,
      };
  }
  if (tensors.length === 1 && /^float|^double/.test(tensors[0]!.type) && !hasLabelOutput) {
    const o = tensors[0]!;
    const width = o.shape[1];
    if (o.shape.length === 1 || width === 1)
      return { task: 'regression', why: `one numeric output '${o.name}'` };
  }
  const present = values.filter((v) => v !== '' && v !== null && v !== undefined);
  if (present.length === 0) return undefined;
  const distinct = new Set(present.map(String));
  const integral = present.every(
    (v) => /^-?\d+$/.test(String(v)) || typeof v === 'boolean' || !/^-?[\d.eE+-]+$/.test(String(v)),
  );
  if (distinct.size <= 2)
    return { task: 'binary-classification', why: `the label has ${distinct.size} distinct values` };
  if (integral && distinct.size <= 50) {
    return {
      task: 'multiclass-classification',
      why: `the label has ${distinct.size} distinct whole/text values`,
    };
  }
  return { task: 'regression', why: `the label has ${distinct.size} distinct numeric values` };
}

function plain(s: string): string {
  return /^[\w./@+-][\w./@+ -]*$/.test(s) && !/\s$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s)
    ? s
    : JSON.stringify(s);
}

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.map((d, i) => (typeof d === 'number' ? String(d) : d || (i === 0 ? 'N' : '?'))).join(', ')}]`;
}

function gatesFor(task: Task, classes: number | undefined): { metrics: string[]; gates: string[] } {
  const change = 'on-missing-baseline: warn';
  if (task === 'binary-classification') {
    return {
      metrics: ['roc_auc', 'accuracy', 'f1', 'log_loss', 'brier'],
      gates: [
        '    # Fail when the candidate is worse than the baseline beyond doubt: the whole 95% interval',
        '    # of the drop exceeds 0.01. Without a baseline yet (the first run) the gate warns.',
        `    - { metric: roc_auc, max-drop: 0.01, significant: true, ${change} }`,
        `    - { metric: log_loss, max-increase: 5%, ${change} }`,
        '    # A floor: better than chance. Raise it to the quality your users need.',
        '    - { metric: roc_auc, min: 0.5 }',
      ],
    };
  }
  if (task === 'multiclass-classification') {
    const chance = classes && classes > 1 ? Math.floor((100 / classes) * 100) / 10000 : 0;
    return {
      metrics: ['accuracy', 'f1_macro', 'f1_weighted', 'log_loss'],
      gates: [
        '    # Fail when the candidate is worse than the baseline beyond doubt (whole 95% interval).',
        `    - { metric: f1_macro, max-drop: 0.01, significant: true, ${change} }`,
        `    - { metric: log_loss, max-increase: 5%, ${change} }`,
        '    # A floor: better than guessing uniformly. Raise it to the quality your users need.',
        `    - { metric: accuracy, min: ${chance} }`,
      ],
    };
  }
  return {
    metrics: ['rmse', 'mae', 'r2'],
    gates: [
      '    # Fail when the error grows beyond doubt: the whole 95% interval of the increase is over 2%.',
      `    - { metric: rmse, max-increase: 2%, significant: true, ${change} }`,
      '    # A floor: better than predicting the mean. Raise it to the quality your users need.',
      '    - { metric: r2, min: 0 }',
    ],
  };
}

async function detect(opts: InitOptions, notes: string[]): Promise<Detected> {
  const dir = opts.dir;
  const model =
    opts.model ??
    pickOne('ONNX model', '--model', await findFiles(dir, (n) => n.endsWith('.onnx')), [
      /^(artifacts|models?|output)\//,
      /model\.onnx$/,
    ]);
  const data =
    opts.data ??
    pickOne(
      'data file',
      '--data',
      await findFiles(dir, (n) => /\.(csv|tsv|jsonl|ndjson|parquet)$/i.test(n)),
      [/(^|[/_.-])eval/i, /(^|[/_.-])(test|valid|validation|holdout)([/_.-]|$)/i],
    );
  const inspection = await inspectModel(path.resolve(dir, model));
  const first = inspection.inputs[0];
  const width = first?.shape[1];
  const features = inspection.inputs.length === 1 && typeof width === 'number' ? width : undefined;
  notes.push(
    `model: ${model}: inputs ${inspection.inputs.map((i) => `'${i.name}' ${i.type} ${shapeText(i.shape)}`).join(', ')}; ` +
      `outputs ${inspection.outputs.map((o) => `'${o.name}' ${o.type} ${shapeText(o.shape)}`).join(', ')}`,
  );
  const zipmap = inspection.outputs.find((o) => !o.isTensor);
  if (zipmap) {
    notes.push(
      `warning: output '${zipmap.name}' is not a tensor (a ZipMap); onnxruntime-node cannot read it. ` +
        `Re-export the model with skl2onnx options {'zipmap': False}.`,
    );
  }
  let label = opts.label;
  let task = opts.task as Task | undefined;
  if (!label || !task) {
    const table = await sampleTable(path.resolve(dir, data)).catch((err: unknown) => {
      if (err instanceof UsageError && label && !task) return undefined;
      throw err;
    });
    if (table) {
      notes.push(`data: ${data}: ${table.columns.length} columns, ${table.rows.length} rows sampled`);
      if (!label) {
        const guess = guessLabel(table.columns, features);
        if (!guess) {
          throw new UsageError(
            `mlops init: cannot tell which column of ${data} is the label; pass --label NAME ` +
              `(columns: ${table.columns.join(', ')})`,
          );
        }
        label = guess.label;
        notes.push(`label: '${label}' (${guess.why}; pass --label to change it)`);
      } else if (!table.columns.includes(label)) {
        throw new InputError(`${data}: no column '${label}' (columns: ${table.columns.join(', ')})`, {
          file: data,
        });
      }
      const values = table.rows.map((r) => r[label!]);
      if (!task) {
        const guess = guessTask(inspection, values);
        if (guess) {
          task = guess.task;
          notes.push(`task: ${task} (${guess.why}; pass --task to change it)`);
        }
      }
    }
  }
  if (!label) throw new UsageError('mlops init: pass --label NAME (the column the model predicts)');
  if (!task) {
    const guess = guessTask(inspection, []);
    if (!guess) throw new UsageError(`mlops init: cannot tell the task; pass --task (${TASKS.join(' | ')})`);
    task = guess.task;
    notes.push(`task: ${task} (${guess.why}; pass --task to change it)`);
  }
  const name =
    opts.name ??
    (path
      .basename(path.resolve(dir))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-') ||
      'model');
  return { name, model, data, label, task, ...(features !== undefined ? { features } : {}), inspection };
}

function schemaComment(dir: string, ref: string): string {
  const local = path.join(dir, 'node_modules', 'mlops-actions', 'schemas', 'mlops.schema.json');
  return existsSync(local)
    ? '# yaml-language-server: $schema=./node_modules/mlops-actions/schemas/mlops.schema.json'
    : `# yaml-language-server: $schema=https://raw.githubusercontent.com/${REPO}/${ref}/schemas/mlops.schema.json`;
}

function trainInputs(dir: string, d: Detected, command: string): string[] {
  const candidates = command
    .split(/\s+/)
    .filter((w) => /\.(py|ts|js|mjs|R|jl|sh|ya?ml|json|toml|csv|parquet)$/i.test(w) && !w.endsWith('.onnx'))
    .filter((w) => existsSync(path.join(dir, w)));
  for (const f of ['requirements.txt', 'pyproject.toml', 'params.yml', 'params.yaml']) {
    if (existsSync(path.join(dir, f))) candidates.push(f);
  }
  const trainData = ['data/train.csv', 'train.csv', 'data/train.parquet'].filter((f) =>
    existsSync(path.join(dir, f)),
  );
  return [...new Set([...candidates, ...trainData])].filter((f) => f !== d.data);
}

export function renderSpec(dir: string, d: Detected, opts: InitOptions, classes?: number): string {
  const { metrics, gates } = gatesFor(d.task, classes);
  const outputs = d.inspection.outputs.map((o) => `'${o.name}'`).join(', ');
  const inputs = d.inspection.inputs.map((i) => `'${i.name}' ${i.type} ${shapeText(i.shape)}`).join(', ');
  const baseline = opts.baseline
    ? `  baseline: { path: ${plain(opts.baseline)} }`
    : [
        "  # The model main's latest run of mlops-pr.yml uploaded (the train action's 'model' artifact).",
        `  baseline: { artifact: { workflow: mlops-pr.yml, branch: ${plain(opts.branch)}, name: model } }`,
      ].join('\n');
  const lines = [
    schemaComment(dir, opts.ref),
    `# Written by \`mlops init\` (mlops-actions ${TOOL_VERSION}). Check it with \`mlops validate\`;`,
    `# every field: https://github.com/${REPO}#mlopsyml-reference`,
    'version: 1',
    'model:',
    `  name: ${plain(d.name)}`,
    `  # inputs ${inputs}; outputs ${outputs}`,
    `  path: ${plain(d.model)}`,
    `  task: ${d.task}`,
    'data:',
    `  eval: { path: ${plain(d.data)}, label: ${plain(d.label)} }`,
  ];
  if (opts.train) {
    const inputsList = trainInputs(dir, d, opts.train);
    lines.push(
      'train:',
      `  run: ${plain(opts.train)}`,
      ...(inputsList.length
        ? [`  # Files whose contents key the train cache: list every input of training.`]
        : []),
      `  inputs: [${inputsList.map(plain).join(', ')}]`,
      `  outputs: [${plain(d.model)}]`,
    );
  }
  lines.push(
    'evaluate:',
    `  metrics: [${metrics.join(', ')}]`,
    `  headline: ${metrics[0]}`,
    baseline,
    '  confidence: { method: bootstrap, replicates: 1000, level: 0.95, seed: 1 }',
    '  gates:',
    ...gates,
    'report:',
    `  title: ${plain(d.name)}`,
    '',
  );
  return lines.join('\n');
}

function setupSteps(dir: string, train: string | undefined): string[] {
  const steps: string[] = [];
  const python =
    existsSync(path.join(dir, 'requirements.txt')) ||
    existsSync(path.join(dir, 'pyproject.toml')) ||
    /\bpython3?\b|\.py\b/.test(train ?? '');
  if (python && train) {
    steps.push('      - uses: actions/setup-python@v5', '        with:', "          python-version: '3.12'");
    if (existsSync(path.join(dir, 'requirements.txt')))
      steps.push('      - run: pip install -r requirements.txt');
    else if (existsSync(path.join(dir, 'pyproject.toml'))) steps.push('      - run: pip install .');
  }
  if (existsSync(path.join(dir, 'package.json'))) {
    steps.push(
      '      - uses: actions/setup-node@v5',
      '        with:',
      '          node-version: 24',
      '      # The skip stops onnxruntime-node fetching CUDA libraries; its CPU build ships in the package.',
      `      - run: ${existsSync(path.join(dir, 'package-lock.json')) ? 'npm ci' : 'npm install'}`,
      '        env:',
      '          ONNXRUNTIME_NODE_INSTALL: skip',
    );
  }
  return steps;
}

export function renderPrWorkflow(dir: string, opts: InitOptions, hasTrain: boolean): string {
  const uses = (action: string) => `${REPO}/actions/${action}@${opts.ref}`;
  return [
    `# Written by \`mlops init\`: on every pull request, train the candidate, evaluate it against the`,
    `# baseline on the same rows, and post one sticky comment. Pushes to ${opts.branch} run it too, so the`,
    '# model they train is the baseline the next pull request compares with.',
    `# Pin the actions to a full commit SHA for supply-chain safety: ${REPO}/actions/train@<sha> # ${opts.ref}`,
    'name: mlops-pr',
    '',
    'on:',
    '  pull_request:',
    '  push:',
    `    branches: [${plain(opts.branch)}]`,
    '',
    'permissions:',
    '  contents: read',
    '  actions: read # download the baseline artifact of an earlier run',
    '  pull-requests: write # the sticky report comment',
    '',
    'concurrency:',
    '  group: mlops-pr-${{ github.event.pull_request.number || github.ref }}',
    '  cancel-in-progress: true',
    '',
    'jobs:',
    '  model:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 30',
    '    steps:',
    '      - uses: actions/checkout@v5',
    ...setupSteps(dir, opts.train),
    ...(hasTrain
      ? [
          '      - name: Train (restored from the cache when its inputs are unchanged)',
          `        uses: ${uses('train')}`,
          '        with:',
          '          spec: mlops.yml',
        ]
      : []),
    '      - name: Evaluate against the baseline',
    `        uses: ${uses('evaluate-against-baseline')}`,
    '        with:',
    '          spec: mlops.yml',
    '      # On a fork pull request the token cannot comment: this step uploads the results and',
    '      # mlops-pr-comment.yml posts them from the base repository.',
    '      - name: Report (also when a gate failed)',
    '        if: ${{ !cancelled() }}',
    `        uses: ${uses('metrics-report-comment')}`,
    '        with:',
    '          spec: mlops.yml',
    '',
  ].join('\n');
}

export function renderCommentWorkflow(opts: InitOptions): string {
  return [
    '# Written by `mlops init`. Pull requests from forks get a read-only token, so mlops-pr cannot',
    '# comment on them. This runs in the base repository after mlops-pr completes, downloads the',
    '# results artifact and posts the comment. It runs no code from the pull request.',
    'name: mlops-pr-comment',
    '',
    'on:',
    '  workflow_run:',
    '    workflows: [mlops-pr]',
    '    types: [completed]',
    '',
    'permissions:',
    '  actions: read',
    '  pull-requests: write',
    '',
    'jobs:',
    '  comment:',
    '    if: >-',
    "      github.event.workflow_run.event == 'pull_request' &&",
    '      github.event.workflow_run.head_repository.full_name != github.repository',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/download-artifact@v5',
    '        with:',
    '          name: mlops-results',
    '          path: .mlops',
    '          run-id: ${{ github.event.workflow_run.id }}',
    '          github-token: ${{ github.token }}',
    `      - uses: ${REPO}/actions/metrics-report-comment@${opts.ref}`,
    '        with:',
    '          mode: from-run',
    '          results-dir: .mlops',
    '',
  ].join('\n');
}

/** Detects what it can, then writes mlops.yml and the workflows; existing files only with force. */
export async function runInit(opts: InitOptions): Promise<InitResult> {
  if (opts.task !== undefined && !TASKS.includes(opts.task as Task)) {
    throw new UsageError(`mlops init: --task must be one of ${TASKS.join(', ')}; got '${opts.task}'`);
  }
  const notes: string[] = [];
  const d = await detect(opts, notes);
  const classes =
    d.task === 'multiclass-classification'
      ? (d.inspection.outputs.find(
          (o) => o.isTensor && /^float/.test(o.type) && typeof o.shape[1] === 'number',
        )?.shape[1] as number | undefined)
      : undefined;
  const files: [string, string][] = [
    [SPEC_FILE, renderSpec(opts.dir, d, opts, classes)],
    [PR_WORKFLOW, renderPrWorkflow(opts.dir, opts, opts.train !== undefined)],
    [COMMENT_WORKFLOW, renderCommentWorkflow(opts)],
  ];
  const written: string[] = [];
  const skipped: string[] = [];
  for (const [rel, text] of files) {
    const file = path.join(opts.dir, rel);
    if (existsSync(file) && !opts.force) {
      skipped.push(rel);
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    written.push(rel);
  }
  return { written, skipped, notes };
}

export const initCommand: Command = {
  name: 'init',
  summary:
    'Write mlops.yml and a pull-request workflow for this repository, detected from the model and data',
  usage: `
Usage: mlops init [--model FILE.onnx] [--data FILE] [--label COLUMN] [--task TASK] [options]

Looks at the ONNX model (inputs, outputs) and the evaluation data (columns, label values), then
writes
  mlops.yml                               the pipeline spec, with gates against a baseline
  .github/workflows/mlops-pr.yml          train → evaluate → report on every pull request
  .github/workflows/mlops-pr-comment.yml  posts the report on pull requests from forks
Anything it cannot find out is a flag; it asks nothing. Existing files are kept unless --force.

Options:
  --model FILE      the ONNX model (default: the one .onnx file here)
  --data FILE       evaluation data, CSV / JSON Lines / Parquet (default: the one eval/test file here)
  --label COLUMN    the column the model predicts (default: guessed from names and the model's width)
  --task TASK       binary-classification | multiclass-classification | regression (default: from
                    the model's outputs, else the label's values)
  --name NAME       model name (default: this directory's name)
  --baseline FILE   compare with this model file (default: the model main's latest run uploaded)
  --train COMMAND   the command that trains the model (adds a train stage)
  --branch NAME     the default branch (default: main)
  --ref REF         the mlops-actions ref the workflows use (default: v${TOOL_VERSION.split('.')[0]})
  --dir DIR         the repository root (default: .)
  --force           overwrite existing files
  -h, --help        show this help

Exit codes: 0 written (or every file already there), 2 bad usage or input.
`,
  async run(argv) {
    const { values } = parseCommandArgs('init', argv, {
      model: { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      task: { type: 'string' },
      name: { type: 'string' },
      baseline: { type: 'string' },
      train: { type: 'string' },
      branch: { type: 'string', default: 'main' },
      ref: { type: 'string', default: `v${TOOL_VERSION.split('.')[0]}` },
      dir: { type: 'string', default: '.' },
      force: { type: 'boolean', default: false },
    });
    const result = await runInit({
      dir: path.resolve(values.dir!),
      ...(values.model !== undefined ? { model: values.model } : {}),
      ...(values.data !== undefined ? { data: values.data } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(values.task !== undefined ? { task: values.task } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
      ...(values.train !== undefined ? { train: values.train } : {}),
      branch: values.branch!,
      ref: values.ref!,
      force: values.force!,
    });
    for (const n of result.notes) console.log(n);
    for (const f of result.written) console.log(`wrote ${f}`);
    for (const f of result.skipped) console.log(`kept ${f} (exists; --force overwrites it)`);
    if (result.written.includes(SPEC_FILE)) console.log(`next: mlops validate && mlops run`);
    return 0;
  },
};
