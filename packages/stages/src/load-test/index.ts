import { parseDuration, parseRate, UsageError } from '@mlops-actions/core';
import type { RateStage } from '@mlops-actions/loadgen';
import { defineStage } from '../definition.js';
import type { FlagValues } from '../definition.js';
import { loadTestSections } from './report.js';
import { runLoadTestStage } from './run.js';
import schema from './spec.schema.json' with { type: 'json' };
import { checkLoadTest, loadTestConfig, parseGateFlags } from './spec.js';
import type { LoadTestConfig, LoadTestSettings } from './spec.js';

export { runLoadTestStage } from './run.js';
export type { LoadTestDetails } from './run.js';
export { loadTestSections, mergeBuckets } from './report.js';
export { checkLoadTest, loadTestConfig, parseGateFlags, LOAD_TEST_MEASURES } from './spec.js';
export type { LoadTestConfig, LoadTestSettings, PayloadConfig, RawLoadTest } from './spec.js';

const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const RATE = /^[0-9]+(\.[0-9]+)?(\/(s|m|h))?$/;

function text(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw new UsageError(`mlops load-test: --${name} needs a value`);
  return v.trim();
}

function flagDuration(where: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!DURATION.test(v)) throw new UsageError(`${where}: '${v}' is not a duration (e.g. 500ms, 30s, 5m)`);
  return parseDuration(v);
}

function flagRate(where: string, v: string | undefined, allowZero = false): number | undefined {
  if (v === undefined) return undefined;
  if (!RATE.test(v)) throw new UsageError(`${where}: '${v}' is not a rate (e.g. 1000/s, 600/m, 250)`);
  const rate = v.includes('/') ? parseRate(v) : Number(v);
  if (!(rate > 0) && !(allowZero && rate === 0)) throw new UsageError(`${where}: the rate must be above 0`);
  return rate;
}

function flagCount(where: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${where}: '${v}' is not a whole number >= 1`);
  return n;
}

/** `--stage 500/s:30s` → `{ target: 500, durationMs: 30000 }`. */
function parseStageFlag(where: string, v: string): RateStage {
  const colon = v.lastIndexOf(':');
  if (colon <= 0) throw new UsageError(`${where}: '${v}' must be TARGET:DURATION, e.g. 500/s:30s`);
  return {
    target: flagRate(where, v.slice(0, colon), true)!,
    durationMs: flagDuration(where, v.slice(colon + 1))!,
  };
}

function list(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export const loadTest = defineStage<LoadTestSettings, LoadTestConfig>({
  name: 'load-test',
  title: 'Load test',
  specKey: 'load-test',
  schema,
  check: checkLoadTest,
  declared: (spec) => spec.sections['load-test'] !== undefined,
  configure: async (spec, settings, ctx) => {
    const config = loadTestConfig(spec, settings, ctx.cwd);
    const specGates = (spec?.sections['load-test'] as { gates?: unknown[] } | undefined)?.gates ?? [];
    if (settings.gates && specGates.length)
      ctx.log.info('load-test: the given gates replace load-test.gates');
    return config;
  },
  run: (config, ctx) => ctx.log.group(`load-test: ${config.modelName}`, () => runLoadTestStage(config, ctx)),
  report: (result) => loadTestSections(result),
  cli: {
    command: 'load-test',
    summary:
      'Open-model load (fixed arrival rate) against the model server: latency percentiles, errors, gates',
    usage: `
Usage:
  mlops load-test --spec mlops.yml [--url URL] [--rate N/s] [--duration 30s] [--gate EXPR ...] [--out .mlops]
  mlops load-test --url URL --rate N/s --duration 30s [--data EVAL.csv [--label COL] | --body-file F]
                  [--name MODEL] [--gate EXPR ...] [--out DIR]
  mlops load-test --model M.onnx --data EVAL.csv --rate N/s --duration 30s [--gate EXPR ...]

Sends requests on a fixed schedule (the open model: arrivals do not wait for answers) and measures
each request's latency from its intended send time, so a stalled server shows as latency instead
of a slower generator (wrk2's method; no coordinated omission). Without --url the candidate model
is served by an embedded 'mlops serve' on a free loopback port for the run.

Rows of the evaluation data go one per request as Open Inference Protocol infer requests
(POST /v2/models/NAME/infer), or with --predict as /predict rows keyed by feature name; --body-file
sends one file as every body (to the URL's path, or /v2/models/NAME/infer).

Writes <out>/load-test.json with values p(50) p(90) p(95) p(99) p(99.9) max avg (ms, exact
percentiles by linear interpolation), requests, errors, error_rate, rps (achieved), dropped, late.

Options:
  --spec FILE          pipeline spec (default: mlops.yml unless --url or --model is given)
  --url URL            load a running server at this base URL instead of serving the model
  --model FILE         serve this model (overrides model.path)
  --name NAME          model name in the URL paths (default: model.name or the file name)
  --rate R             constant arrival rate: N/s, N/m or N (per second) (default 100/s)
  --stage T:D          a ramping stage, e.g. --stage 500/s:30s --stage 1000/s:30s (instead of --rate)
  --duration D         measured duration (default 30s)
  --warmup D           load before measuring, not in the results (default 5s)
  --connections N      keep-alive connections, the most requests in flight (default 64)
  --max-requests N     stop after N measured requests
  --data FILE          rows to send (.csv, .jsonl, .parquet); default: the spec's data.eval
  --label COL          the label column of --data (default: a column named label, target, y or class)
  --predict            send /predict rows instead of infer requests
  --body-file FILE     send this file as every request body
  --gate EXPR          a gate, e.g. 'p(99) < 50ms', 'error_rate < 0.1%', 'rps >= 1000', 'dropped == 0';
                       repeat for several; replaces the spec's gates
  --abort-on-fail      stop early once a gate is lost
  --abort-delay D      measure at least this long before aborting (default 0s)
  --out DIR            results directory (default: .mlops)
  -h, --help           show this help

A gate on a value with no samples (no request answered) fails.

Exit codes: 0 every gate passed, 1 a gate failed, 2 bad usage or bad input.
`,
    options: {
      url: { type: 'string' },
      model: { type: 'string' },
      name: { type: 'string' },
      rate: { type: 'string' },
      stage: { type: 'string', multiple: true },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'max-requests': { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      predict: { type: 'boolean' },
      'body-file': { type: 'string' },
      gate: { type: 'string', multiple: true },
      'abort-on-fail': { type: 'boolean' },
      'abort-delay': { type: 'string' },
    },
    standalone: (values) =>
      values.spec === undefined && (values.url !== undefined || values.model !== undefined),
    settings(values) {
      const s: LoadTestSettings = {};
      const put = <K extends keyof LoadTestSettings>(k: K, v: LoadTestSettings[K] | undefined): void => {
        if (v !== undefined) s[k] = v;
      };
      put('url', text(values, 'url'));
      put('model', text(values, 'model'));
      put('name', text(values, 'name'));
      put('rate', flagRate('--rate', text(values, 'rate')));
      const stages = list(values.stage).map((v) => parseStageFlag('--stage', v));
      if (stages.length) put('stages', stages);
      if (s.rate !== undefined && s.stages)
        throw new UsageError('mlops load-test: --rate and --stage are exclusive');
      put('durationMs', flagDuration('--duration', text(values, 'duration')));
      if (s.stages && s.durationMs !== undefined) {
        throw new UsageError(
          'mlops load-test: with --stage the duration is the stages\u2019 sum; drop --duration',
        );
      }
      put('warmupMs', flagDuration('--warmup', text(values, 'warmup')));
      put('connections', flagCount('--connections', text(values, 'connections')));
      put('maxRequests', flagCount('--max-requests', text(values, 'max-requests')));
      put('data', text(values, 'data'));
      put('label', text(values, 'label'));
      put('bodyFile', text(values, 'body-file'));
      if (values.predict === true) s.predict = true;
      if (s.data && s.bodyFile) throw new UsageError('mlops load-test: --data and --body-file are exclusive');
      const gates = list(values.gate);
      // Checked here, so a typo fails before a server starts or a file is read.
      parseGateFlags(gates, '--gate');
      if (gates.length) s.gates = gates;
      const delay = flagDuration('--abort-delay', text(values, 'abort-delay'));
      if (values['abort-on-fail'] === true) s.abortOnFail = { delayMs: delay ?? 0 };
      else if (delay !== undefined)
        throw new UsageError('mlops load-test: --abort-delay goes with --abort-on-fail');
      return s;
    },
  },
  action: {
    name: 'load-test',
    settings(inputs) {
      const s: LoadTestSettings = {};
      const url = inputs.optional('url');
      const model = inputs.path('model');
      const rate = flagRate('input rate', inputs.optional('rate'));
      const duration = flagDuration('input duration', inputs.optional('duration'));
      const connections = inputs.number('connections', { min: 1, integer: true });
      const gates = inputs.list('gates');
      parseGateFlags(gates, 'input gates');
      const abort = inputs.optionalBoolean('abort-on-fail');
      if (url) s.url = url;
      if (model) s.model = model;
      if (rate !== undefined) s.rate = rate;
      if (duration !== undefined) s.durationMs = duration;
      if (connections !== undefined) s.connections = connections;
      if (gates.length) s.gates = gates;
      if (abort)
        s.abortOnFail = { delayMs: flagDuration('input abort-delay', inputs.optional('abort-delay')) ?? 0 };
      return s;
    },
    outputs(result) {
      const v = result.values;
      const num = (x: number | null | undefined): number | string => (typeof x === 'number' ? x : '');
      return {
        p99: num(v['p(99)']?.candidate),
        p50: num(v['p(50)']?.candidate),
        rps: num(v.rps?.candidate),
        'error-rate': num(v.error_rate?.candidate),
        dropped: num(v.dropped?.candidate),
      };
    },
  },
});
