import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, validateStageResult } from '@mlops-actions/core';
import type { Spec, StageResult } from '@mlops-actions/core';
import coreSchema from '../../packages/core/src/spec/spec.schema.json' with { type: 'json' };
import {
  checkDeploy,
  deployCanary,
  deployCanarySections,
} from '../../packages/stages/src/deploy-canary/index.js';
import type { DeployCanaryDetails } from '../../packages/stages/src/deploy-canary/index.js';
import type { StageContext } from '../../packages/stages/src/context.js';

/**
 * The deploy-canary stage: its schema part composed with the core schema (as
 * scripts/compose-schema.ts does), its semantic checks, and the local backend end to end with the
 * real model server (@mlops-actions/serve) on an example model, a real Prometheus and real traffic.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const CANCER = path.join(ROOT, 'examples/breast-cancer');
const WINE_MODEL = path.join(ROOT, 'examples/wine/baseline/model.onnx');

function validator() {
  const schema = {
    ...coreSchema,
    properties: { ...coreSchema.properties, deploy: deployCanary.schema.property },
    definitions: { ...coreSchema.definitions, ...deployCanary.schema.definitions },
  };
  return new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(schema);
}

function specFrom(yaml: string): Spec {
  const raw = parse(yaml) as Record<string, unknown>;
  const validate = validator();
  if (!validate(raw)) throw new Error(JSON.stringify(validate.errors, null, 2));
  const model = raw.model as Spec['model'];
  const data = raw.data as { eval: { path: string; label: string } };
  const { version: _v, model: _m, data: _d, report: _r, project: _p, ...sections } = raw;
  return {
    version: 1,
    project: model.name,
    model,
    data: { eval: { ...data.eval, format: 'csv' } },
    report: { title: 't', comment: 'off', key: 't', maxSlices: 5 },
    sections,
    file: path.join(CANCER, 'mlops.yml'),
    dir: CANCER,
    digest: 'test',
  };
}

const BASE = `
version: 1
model: { name: breast-cancer, path: baseline/model.onnx, task: binary-classification }
data: { eval: { path: data/eval.csv, label: malignant } }
`;

describe('deploy section schema and checks', () => {
  it('applies the defaults', () => {
    const spec = specFrom(`${BASE}deploy: {}\n`);
    expect(spec.sections.deploy).toMatchObject({
      target: 'local',
      canary: {
        steps: [10, 50, 100],
        interval: '30s',
        'failure-limit': 0,
        'inconclusive-limit': 0,
        'min-samples': 50,
      },
    });
  });

  it('rejects a weight over 100 and an unknown check type', () => {
    expect(() => specFrom(`${BASE}deploy: { canary: { steps: [10, 150] } }\n`)).toThrow();
    expect(() => specFrom(`${BASE}deploy: { canary: { analysis: [{ type: apdex }] } }\n`)).toThrow();
  });

  it('semantic checks name the field: falling weights, a typo in a placeholder, a bad gate, a missing query', () => {
    const spec = specFrom(`${BASE}deploy:
  canary:
    steps: [50, 10, 100]
    analysis:
      - { type: query, query: 'sum(rate(x{v="{{ canry }}"}[1m]))', gates: ['value <'] }
      - { type: query, gates: ['value < 1'] }
      - { type: error-rate, allowed-increase: 10ms }
`);
    const issues = checkDeploy(spec.sections.deploy).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^deploy\.canary\.steps\.1: weight 10 is below/),
      expect.stringMatching(/^deploy\.canary\.analysis\.0\.query: unknown placeholder \{\{ canry \}\}/),
      expect.stringMatching(/^deploy\.canary\.analysis\.0\.gates\.0: cannot parse gate expression/),
      expect.stringMatching(/^deploy\.canary\.analysis\.1: a query check needs 'query'/),
      expect.stringMatching(/^deploy\.canary\.analysis\.2\.allowed-increase: '10ms' is a duration/),
    ]);
  });

  it('kubernetes target needs its settings', () => {
    const spec = specFrom(`${BASE}deploy: { target: kubernetes }\n`);
    expect(checkDeploy(spec.sections.deploy).map((i) => i.path.join('.'))).toEqual([
      'deploy.kubernetes',
      'deploy.prometheus',
    ]);
  });
});

describe('deploy-canary on the local backend with the real model server', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'deploy-canary-'));
  });
  afterAll(async () => rm(out, { recursive: true, force: true }));

  const ctx = (): StageContext => ({
    log: silentLogger,
    resultsDir: out,
    cwd: CANCER,
    host: 'local',
    cache: undefined as never,
  });
  const deploySection = `deploy:
  local: { traffic: 300/s, scrape-interval: 250ms }
  canary:
    steps: [20, 50, 100]
    interval: 2s
    min-samples: 40
    analysis:
      - { type: error-rate, allowed-increase: 1%, gates: ['error_rate < 5%'] }
      - { type: latency, allowed-increase: 25ms, gates: ['p(99) < 5s'] }
      - { type: query, name: canary-weight, query: 'max(mlops_router_weight_percent{backend="{{ canary }}"})', gates: ['value > 0'] }
`;

  it('an A/A canary of the example model is promoted and written to deploy-canary.json', async () => {
    const spec = specFrom(`${BASE}${deploySection}`);
    const config = await deployCanary.configure(spec, {}, ctx());
    expect(config.aa).toBe(true);
    const result = await deployCanary.run(config, ctx());
    const written = JSON.parse(await readFile(path.join(out, 'deploy-canary.json'), 'utf8')) as StageResult;
    const d = written.details as unknown as DeployCanaryDetails;
    expect(
      d.decision,
      d.reason + JSON.stringify(d.outcome.analyses.map((a) => a.checks.map((c) => c.reason))),
    ).toBe('promoted');
    expect(written.status).toBe('passed');
    expect(validateStageResult(written)).toMatchObject({ ok: true });
    expect(d.outcome.analyses.map((a) => a.weight)).toEqual([20, 50]);
    const q = d.outcome.analyses[0]!.checks.find((c) => c.name === 'canary-weight')!;
    expect(q.queries).toEqual(['max(mlops_router_weight_percent{backend="canary"})']);
    expect(q.values.value).toBe(20);
    expect(d.traffic!.errors).toBe(0);
    const md = deployCanarySections(result)[0]!.markdown;
    expect(md).toContain('```mermaid');
    expect(md).toContain('xychart-beta');
    expect(md).toContain('promoted');
  });

  it('a canary that rejects the traffic (a model with another input width) is rolled back', async () => {
    const spec = specFrom(`${BASE}${deploySection}`);
    const config = await deployCanary.configure(
      spec,
      { model: WINE_MODEL, stableModel: path.join(CANCER, 'baseline/model.onnx') },
      ctx(),
    );
    const result = await deployCanary.run(config, ctx());
    const d = result.details as unknown as DeployCanaryDetails;
    expect(d.decision).toBe('rolled-back');
    expect(result.status).toBe('failed');
    const errors = d.outcome.analyses[0]!.checks.find((c) => c.kind === 'error-rate')!;
    expect(errors.verdict).toBe('fail');
    expect(errors.values.canary_error_rate).toBe(1);
    expect(result.verdicts[0]).toMatchObject({ gate: 'canary', status: 'fail' });
  });
});

describe('mlops deploy-canary (the CLI command)', () => {
  async function cli(args: string[]): Promise<{ code: number; printed: string }> {
    const { vi } = await import('vitest');
    const { stageCommand } = await import('../../packages/cli/src/stage-command.js');
    const lines: string[] = [];
    const spies = (['log', 'warn', 'error'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.join(' '))),
    );
    try {
      const code = await stageCommand(deployCanary).run(args);
      return { code, printed: lines.join('\n') };
    } catch (err) {
      return {
        code: (err as { exitCode?: number }).exitCode ?? -1,
        printed: `${lines.join('\n')}\n${(err as Error).message}`,
      };
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }

  it('a bad --backend is a usage error (exit 2) naming the flag', async () => {
    const r = await cli(['--spec', path.join(CANCER, 'mlops.yml'), '--backend', 'nomad']);
    expect(r.code).toBe(2);
    expect(r.printed).toMatch(/--backend: 'nomad' is not one of local, kubernetes, argo-rollouts/);
  });
});
