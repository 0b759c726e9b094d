import { consoleLogger, parseDuration, UsageError } from '@mlops-actions/core';
import {
  parseKeys,
  readApiKeyFile,
  readFeatureNames,
  startServer,
  type ServeOptions,
} from '@mlops-actions/serve';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new UsageError(`mlops serve: --${flag} must be an integer >= ${min}, got '${text}'`);
  }
  return Number(text);
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) {
    throw new UsageError(`mlops serve: --${flag} must be a duration like 2ms, 1s or 1m30s, got '${text}'`);
  }
  return parseDuration(text);
}

function fraction(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !(v >= 0 && v <= 1)) {
    throw new UsageError(`mlops serve: --${flag} must be a number from 0 to 1, got '${text}'`);
  }
  return v;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve an ONNX model over the Open Inference Protocol (KServe v2 REST)',
  usage: `
Usage: mlops serve --model M.onnx [--name NAME] [--port 8080] [--host 127.0.0.1] [--api-key-file F]

Serves the model until SIGTERM or SIGINT, then lets in-flight requests finish and exits 0.
Prints one line 'serving NAME on http://HOST:PORT' once the model is loaded, warmed and listening.

Endpoints: GET /v2, /v2/health/live, /v2/health/ready, /v2/models/NAME[/versions/V][/ready],
POST /v2/models/NAME[/versions/V]/infer (Open Inference Protocol), POST /v2/models/NAME/predict
({"rows": [{feature: value, ...}]} → labels, probabilities, scores), GET /metrics (Prometheus).

Options:
  --model FILE             ONNX model to serve (required)
  --name NAME              model name in URLs (default: the file name without .onnx)
  --model-version V        the version served (default 1)
  --port N                 port (default 8080; 0 picks a free one)
  --host ADDR              address to bind (default 127.0.0.1: this machine only)
  --api-key-file F         require 'Authorization: Bearer KEY' with a key from F (one per line);
                           keys in the env MLOPS_API_KEYS (comma-separated) are added. Health
                           probes stay open.
  --threads N              inference worker threads (default: cores - 1, at least 1); 0 runs
                           the model on the event loop (small fast models: no thread hops)
  --max-batch-size N       rows per inference call when requests queue up (default 64; 1: off)
  --max-queue-delay D      wait up to D for a batch to fill (default 0: never wait)
  --max-queue-size N       waiting requests before 503 + Retry-After (default 1024)
  --timeout D              per-request limit for queueing + inference (default 30s)
  --body-limit BYTES       largest request body, else 413 (default 8388608)
  --features-from CSV      feature names for /predict rows, from the CSV's header
  --label COL              column of --features-from that is not a feature (the label)
  --log-inputs DIR         write sampled inputs and predictions to DIR/inputs-YYYY-MM-DD-NNN.jsonl
  --log-sample R           fraction of rows logged, 0..1 (default 1)
  --log-max-file-bytes N   start a new file past N bytes (default 16777216)
  --log-max-total-bytes N  delete the oldest files past N bytes in DIR (default 268435456)
  -h, --help               show this help

Exit codes: 0 stopped by a signal, 2 bad usage, model or key file.
`,
  async run(argv) {
    const { values } = parseCommandArgs('serve', argv, {
      model: { type: 'string' },
      name: { type: 'string' },
      'model-version': { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key-file': { type: 'string' },
      threads: { type: 'string' },
      'max-batch-size': { type: 'string' },
      'max-queue-delay': { type: 'string' },
      'max-queue-size': { type: 'string' },
      timeout: { type: 'string' },
      'body-limit': { type: 'string' },
      'features-from': { type: 'string' },
      label: { type: 'string' },
      'log-inputs': { type: 'string' },
      'log-sample': { type: 'string' },
      'log-max-file-bytes': { type: 'string' },
      'log-max-total-bytes': { type: 'string' },
    });
    if (values.model === undefined)
      throw new UsageError("mlops serve: --model is required\nRun 'mlops serve --help' for usage.");
    const port = integer('port', values.port, 0)!;
    if (port > 65535) throw new UsageError(`mlops serve: --port must be at most 65535, got ${port}`);
    if (values.label !== undefined && values['features-from'] === undefined) {
      throw new UsageError('mlops serve: --label needs --features-from');
    }
    const apiKeys = [
      ...(values['api-key-file'] !== undefined ? readApiKeyFile(values['api-key-file']) : []),
      ...parseKeys(process.env.MLOPS_API_KEYS ?? ''),
    ];
    const options: ServeOptions = {
      model: values.model,
      name: values.name,
      version: values['model-version'],
      host: values.host,
      port,
      threads: integer('threads', values.threads, 0),
      maxBatchSize: integer('max-batch-size', values['max-batch-size'], 1),
      maxQueueDelayMs: duration('max-queue-delay', values['max-queue-delay']),
      maxQueueSize: integer('max-queue-size', values['max-queue-size'], 1),
      requestTimeoutMs: duration('timeout', values.timeout),
      bodyLimitBytes: integer('body-limit', values['body-limit'], 1),
      apiKeys,
      featureNames:
        values['features-from'] !== undefined
          ? readFeatureNames(values['features-from'], values.label !== undefined ? [values.label] : [])
          : undefined,
      logInputs:
        values['log-inputs'] !== undefined
          ? {
              dir: values['log-inputs'],
              sampleRate: fraction('log-sample', values['log-sample']),
              maxFileBytes: integer('log-max-file-bytes', values['log-max-file-bytes'], 1),
              maxTotalBytes: integer('log-max-total-bytes', values['log-max-total-bytes'], 1),
            }
          : undefined,
      logger: consoleLogger,
    };
    const server = await startServer(options);
    // Settings go to stderr: stdout carries only the ready line that scripts wait for.
    console.error(
      `${server.name}: ${server.model.inputs.length} input(s), ${server.model.outputs.length} output(s), ` +
        `${server.model.pool.kind === 'inline' ? 'inference on the event loop' : `${server.model.pool.workers.length} inference worker(s)`}, loaded in ${server.model.loadSeconds.toFixed(2)} s` +
        (server.model.batchable
          ? ''
          : '; the model has no variable batch dimension, so requests are not batched'),
    );
    if (apiKeys.length > 0)
      console.error(`API keys: ${apiKeys.length} loaded; every route but /v2/health/* needs one`);
    console.log(`serving ${server.name} on ${server.url}`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const on = (s: NodeJS.Signals): void => {
        process.off('SIGTERM', on);
        process.off('SIGINT', on);
        resolve(s);
      };
      process.on('SIGTERM', on);
      process.on('SIGINT', on);
    });
    console.error(`${signal}: draining in-flight requests`);
    await server.close();
    console.error('stopped');
    return 0;
  },
};
