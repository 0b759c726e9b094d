import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { InputError, silentLogger, type Spec, type StageResult } from '@mlops-actions/core';
import { LocalDirCache, STAGE_LIST, loadSpec, parseSpecText, runPipeline } from '@mlops-actions/stages';
import type { StageContext } from '@mlops-actions/stages';
import { drift } from '../../packages/stages/src/drift/index.js';
import type { DriftDetails } from '../../packages/stages/src/drift/index.js';
import coreSchema from '../../packages/core/src/spec/spec.schema.json' with { type: 'json' };
import driftSchema from '../../packages/stages/src/drift/spec.schema.json' with { type: 'json' };
import { ROOT, tempDir } from './helpers.js';

const EXAMPLE = join(ROOT, 'examples/breast-cancer');
const MODEL = join(EXAMPLE, 'baseline/model.onnx');
const EVAL = join(EXAMPLE, 'data/eval.csv');
const TRAIN = join(EXAMPLE, 'data/train.csv');

function ctxFor(dir: string): StageContext {
  return {
    log: silentLogger,
    resultsDir: join(dir, '.mlops'),
    cwd: dir,
    host: 'local',
    cache: new LocalDirCache(join(dir, 'cache')),
  };
}

/** The example's spec with a drift section (set after parsing: the composed schema may not list drift yet). */
function specWith(dir: string, section: Record<string, unknown>): Spec {
  const text = [
    'version: 1',
    `model: { name: breast-cancer, path: ${MODEL}, task: binary-classification }`,
    `data: { eval: { path: ${EVAL}, label: malignant }, reference: { path: ${TRAIN} } }`,
  ].join('\n');
  const file = join(dir, 'mlops.yml');
  writeFileSync(file, text);
  const spec = parseSpecText(text, file);
  return { ...spec, dir, sections: { ...spec.sections, drift: section } };
}

/** Rows of the eval file with one feature shifted. */
function shifted(dir: string, column: string, by: number): string {
  const [head, ...rows] = readFileSync(EVAL, 'utf8').trim().split('\n');
  const at = head!.split(',').indexOf(column);
  const out = rows.map((r) => {
    const cells = r.split(',');
    cells[at] = String(Number(cells[at]) + by);
    return cells.join(',');
  });
  const path = join(dir, 'shifted.csv');
  writeFileSync(path, [head, ...out].join('\n') + '\n');
  return path;
}

async function runStage(
  spec: Spec | undefined,
  settings: Parameters<typeof drift.configure>[1],
  dir: string,
): Promise<StageResult> {
  const ctx = ctxFor(dir);
  const config = await drift.configure(spec, settings, ctx);
  return drift.run(config, ctx);
}

describe('drift stage', () => {
  it('its spec section is valid JSON Schema and accepts the documented example', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile({
      definitions: { ...(coreSchema as { definitions: object }).definitions, ...driftSchema.definitions },
      ...driftSchema.property,
    });
    expect(
      validate({
        reference: 'data/train.csv',
        current: { path: 'logs/', format: 'jsonl' },
        methods: { mean_radius: 'psi' },
        thresholds: { psi: 0.2 },
        correction: 'fdr',
        share: 0.3,
        'fail-on-drift': false,
        performance: [{ metric: 'accuracy', min: 0.68 }],
      }),
    ).toBe(true);
    expect(validate({ current: 'x.csv', method: 'kl' })).toBe(false);
    expect(validate({ reference: 'x.csv' })).toBe(false);
  });

  it('spec checks: a typo in a floor metric is a located issue with a suggestion', () => {
    const spec = specWith(tempDir(), { current: EVAL });
    const issues = drift.check!({ current: EVAL, performance: [{ metric: 'acuracy', min: 0.68 }] }, spec);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(['drift', 'performance', 0, 'metric']);
    expect(issues[0]!.message).toMatch(/did you mean 'accuracy'/);
    expect(
      drift.check!({ current: EVAL, performance: [{ metric: 'rmse', max: 3 }] }, spec)[0]!.message,
    ).toMatch(/does not apply to binary-classification/);
    expect(drift.check!({ current: EVAL, performance: [{ metric: 'accuracy', min: 0.68 }] }, spec)).toEqual(
      [],
    );
  });

  it('same data: no drift; prediction drift compared; performance floor measured on labelled current data', async () => {
    const dir = tempDir();
    const spec = specWith(dir, { current: EVAL, performance: [{ metric: 'accuracy', min: 0.68 }] });
    const result = await runStage(spec, {}, dir);
    const d = result.details as unknown as DriftDetails;
    expect(result.stage).toBe('drift');
    expect(result.status).toBe('passed');
    expect(d.data.features.length).toBe(30);
    expect(d.data.features.every((f) => f.method === 'ks')).toBe(true);
    expect(d.prediction?.output).toBe('score');
    expect(d.performance?.rows).toBe(128);
    expect(d.performance!.metrics['accuracy']).toBeGreaterThan(0.8);
    expect(result.values['drifted']!.candidate).toBe(d.drifted ? 1 : 0);
    expect(result.values['share']!.candidate).toBe(d.data.share);
    expect(result.verdicts.find((v) => v.metric === 'accuracy')!.status).toBe('pass');
    expect(result.inputs['reference']!.path).toBe(TRAIN);
    const written = JSON.parse(readFileSync(join(dir, '.mlops/drift.json'), 'utf8')) as StageResult;
    expect(written.values['drifted']!.candidate).toBe(result.values['drifted']!.candidate);
    const outputs = drift.action.outputs(result, undefined as never);
    expect(outputs['drifted']).toBe(d.drifted);
  });

  it('a shifted feature and a missed floor mean retraining; exit 0 unless fail-on-drift', async () => {
    const dir = tempDir();
    // The example's baseline model reads mean_radius and mean_texture only.
    const cur = shifted(dir, 'mean_radius', 5);
    const spec = specWith(dir, {
      current: cur,
      share: 0.02,
      performance: [{ metric: 'accuracy', min: 0.99 }],
    });
    const result = await runStage(spec, {}, dir);
    const d = result.details as unknown as DriftDetails;
    expect(d.drifted).toBe(true);
    expect(d.data.features.find((f) => f.name === 'mean_radius')!.drifted).toBe(true);
    expect(result.values['drifted']!.candidate).toBe(1);
    expect(result.status).toBe('passed');
    expect(result.verdicts.map((v) => v.status)).toEqual(['warn', 'warn']);
    expect(d.reasons.some((r) => r.startsWith('data drift'))).toBe(true);
    expect(d.reasons.some((r) => r.startsWith('performance: accuracy'))).toBe(true);
    expect(d.prediction!.feature.drifted).toBe(true);
    const strict = await runStage(spec, { failOnDrift: true }, dir);
    expect(strict.status).toBe('failed');
    expect(strict.verdicts.filter((v) => v.status === 'fail').length).toBe(2);
  });

  for (const [name, task, label, metric, output] of [
    ['wine', 'multiclass-classification', 'cultivar', 'accuracy', 'class'],
    ['diabetes', 'regression', 'progression', 'rmse', 'value'],
  ] as const) {
    it(`${name}: prediction drift of the ${output} and a ${metric} floor (${task})`, async () => {
      const dir = tempDir();
      const root = join(ROOT, 'examples', name);
      const text = [
        'version: 1',
        `model: { name: ${name}, path: ${join(root, 'baseline/model.onnx')}, task: ${task} }`,
        `data: { eval: { path: ${join(root, 'data/eval.csv')}, label: ${label} }, reference: { path: ${join(root, 'data/train.csv')} } }`,
      ].join('\n');
      const file = join(dir, 'mlops.yml');
      writeFileSync(file, text);
      const parsed = parseSpecText(text, file);
      const floor = metric === 'rmse' ? { metric, max: 1000 } : { metric, min: 0.1 };
      const spec = {
        ...parsed,
        dir,
        sections: { drift: { current: join(root, 'data/eval.csv'), performance: [floor] } },
      };
      const result = await runStage(spec, {}, dir);
      const d = result.details as unknown as DriftDetails;
      expect(d.prediction?.output).toBe(output);
      expect(d.prediction!.feature.kind).toBe(output === 'class' ? 'categorical' : 'numeric');
      expect(typeof d.performance!.metrics[metric]).toBe('number');
      expect(result.verdicts.find((v) => v.metric === metric)!.status).toBe('pass');
    });
  }

  it('floors without labels in the current data: reported as not measured, no retraining on that alone', async () => {
    const dir = tempDir();
    const [head, ...rows] = readFileSync(EVAL, 'utf8').trim().split('\n');
    const cols = head!.split(',');
    const keep = cols.map((c, i) => [c, i] as const).filter(([c]) => c !== 'malignant');
    const unlabelled = join(dir, 'unlabelled.csv');
    writeFileSync(
      unlabelled,
      [
        keep.map(([c]) => c).join(','),
        ...rows.map((r) => keep.map(([, i]) => r.split(',')[i]).join(',')),
      ].join('\n'),
    );
    const result = await runStage(
      specWith(dir, { current: unlabelled, performance: [{ metric: 'accuracy', min: 0.68 }] }),
      {},
      dir,
    );
    const d = result.details as unknown as DriftDetails;
    expect(d.performanceSkipped).toMatch(/no 'malignant' column/);
    const floor = result.verdicts.find((v) => v.metric === 'accuracy')!;
    expect(floor.status).toBe('warn');
    expect(floor.reason).toMatch(/not measured: the current data has no 'malignant' column/);
    expect(d.drifted).toBe(false);
    expect(d.performance).toBeUndefined();
  });

  it('CLI settings: flags without a spec; bad current data is an InputError', async () => {
    const dir = tempDir();
    const settings = drift.cli.settings(
      { reference: TRAIN, current: EVAL, features: 'mean_radius,mean_texture', exclude: 'malignant' },
      [],
    );
    expect(drift.cli.standalone!({ reference: TRAIN, current: EVAL })).toBe(true);
    const result = await runStage(undefined, settings, dir);
    const d = result.details as unknown as DriftDetails;
    expect(d.data.features.map((f) => f.name)).toEqual(['mean_radius', 'mean_texture']);
    expect(d.prediction).toBeUndefined();
    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, 'malignant\n1\n0\n');
    const bad = drift.cli.settings({ reference: TRAIN, current: labels, exclude: 'malignant' }, []);
    await expect(runStage(undefined, bad, dir)).rejects.toThrow(InputError);
    expect(() => drift.cli.settings({ method: 'kl' }, [])).toThrow(/not a drift method/);
    expect(() => drift.cli.settings({ share: '2' }, [])).toThrow(/share must be/);
  });

  it('a new category (infinite chi-square statistic) and a JSON Lines log as current data', async () => {
    const dir = tempDir();
    const ref = join(dir, 'ref.csv');
    writeFileSync(
      ref,
      'plan,x\n' +
        Array.from({ length: 200 }, (_, i) => `${['basic', 'pro'][i % 2]},${i % 17}`).join('\n') +
        '\n',
    );
    const log = join(dir, 'log.jsonl');
    writeFileSync(
      log,
      Array.from({ length: 150 }, (_, i) =>
        JSON.stringify({ features: { plan: ['basic', 'pro', 'enterprise'][i % 3], x: i % 17 } }),
      ).join('\n'),
    );
    const result = await runStage(undefined, drift.cli.settings({ reference: ref, current: log }, []), dir);
    const d = result.details as unknown as DriftDetails;
    const plan = d.data.features.find((f) => f.name === 'plan')!;
    expect(plan.method).toBe('chisquare');
    expect(plan.pValue).toBe(0);
    expect(plan.newCategories).toEqual(['enterprise']);
    expect(d.drifted).toBe(true);
    const written = JSON.parse(readFileSync(join(dir, '.mlops/drift.json'), 'utf8')) as StageResult;
    expect((written.details as unknown as DriftDetails).data.features[0]!.statistic).toBeNull(); // Infinity in JSON
    expect(drift.report(result, { maxSlices: 5 })[0]!.markdown).toContain('new: enterprise');
  });

  it('report: most drifted features first and a Mermaid histogram of the top one', async () => {
    const dir = tempDir();
    const result = await runStage(specWith(dir, { current: shifted(dir, 'mean_area', 400) }), {}, dir);
    const [section] = drift.report(result, { maxSlices: 5 });
    const md = section!.markdown;
    expect(section!.id).toBe('drift');
    expect(md).toMatch(/### Drift/);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[2]).toContain('mean_area');
    expect(rows[2]).toContain('**yes**');
    expect(md).toContain('```mermaid\nxychart-beta');
    expect(md).toMatch(/title "?mean_area: reference \(bars\) vs current \(line\)/);
    expect(md).toContain('All 30 features');
  });

  it('mlops drift --reference --current --features --out writes <out>/drift.json; exit 0 on drift', async () => {
    const { stageCommand } = await import('../../packages/cli/src/stage-command.js');
    const dir = tempDir();
    const out = join(dir, 'out');
    const cur = shifted(dir, 'mean_radius', 5);
    const log = console.log;
    console.log = () => {};
    let code: number;
    try {
      code = await stageCommand(drift).run([
        '--reference',
        TRAIN,
        '--current',
        cur,
        '--features',
        'mean_radius,mean_texture,mean_area',
        '--share',
        '0.3',
        '--out',
        out,
      ]);
    } finally {
      console.log = log;
    }
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as StageResult;
    expect(result.values['drifted']!.candidate).toBe(1);
    expect(result.values['share']!.candidate).toBeCloseTo(1 / 3, 12);
    const d = result.details as unknown as DriftDetails;
    expect(
      d.data.features.map((f) => [f.name, f.drifted, typeof f.statistic, typeof f.pValue, f.threshold]),
    ).toEqual([
      ['mean_radius', true, 'number', 'number', 0.05],
      ['mean_texture', false, 'number', 'number', 0.05],
      ['mean_area', false, 'number', 'number', 0.05],
    ]);
    console.log = () => {};
    try {
      code = await stageCommand(drift).run([
        '--reference',
        TRAIN,
        '--current',
        cur,
        '--features',
        'mean_radius',
        '--fail-on-drift',
        '--out',
        out,
      ]);
    } finally {
      console.log = log;
    }
    expect(code).toBe(1);
  });

  it.skipIf(!STAGE_LIST.some((s) => s.name === 'drift'))(
    'mlops run with a drift section on the example',
    async () => {
      const dir = tempDir();
      const file = join(dir, 'mlops.yml');
      writeFileSync(
        file,
        [
          'version: 1',
          `model: { name: breast-cancer, path: ${MODEL}, task: binary-classification }`,
          `data: { eval: { path: ${EVAL}, label: malignant }, reference: { path: ${TRAIN} } }`,
          `drift: { current: ${EVAL}, performance: [{ metric: accuracy, min: 0.68 }] }`,
        ].join('\n'),
      );
      const spec = await loadSpec(file);
      const outcome = await runPipeline(spec, ctxFor(dir));
      expect(outcome.results.map((r) => r.stage)).toEqual(['drift']);
      expect(outcome.status).toBe('passed');
    },
  );
});
