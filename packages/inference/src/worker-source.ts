/**
 * The inference worker, as source text: actions ship as single-file ncc bundles, so a separate
 * worker file would not exist at run time. Started with `new Worker(WORKER_SOURCE, { eval: true })`;
 * it must not reference anything outside itself. workerData: { ortPath, modelPath }.
 *
 * Protocol: worker → { type: 'ready', inputs, outputs } | { type: 'fatal', message }
 *           main → { type: 'run', id, feeds: [{ name, type, data, dims }], fetch: [name] }
 *             (type: any ORT tensor type; data a typed array of it, Uint8Array for bool, string[] for string)
 *           worker → { type: 'result', id, ms, outputs: { [name]: { type, dims, data } } }
 *                  | { type: 'error', id, message }
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

let ort;
let session;

function ownBuffer(data) {
  // A view into a larger or shared buffer cannot be transferred without sending the rest.
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

async function start() {
  const mod = await import(pathToFileURL(workerData.ortPath).href);
  ort = mod.default || mod;
  // One thread per session: parallelism comes from the pool, not from ORT's own thread pool.
  session = await ort.InferenceSession.create(workerData.modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const describe = (m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: Array.from(m.shape) } : { name: m.name, isTensor: false });
  parentPort.postMessage({
    type: 'ready',
    inputs: session.inputMetadata.map(describe),
    outputs: session.outputMetadata.map(describe),
  });
}

async function run(msg) {
  const feeds = {};
  for (const f of msg.feeds) {
    // ORT takes bool as 0/1 bytes; accept a plain boolean array too rather than fail deep in the binding.
    const data = f.type === 'bool' && !(f.data instanceof Uint8Array) ? Uint8Array.from(f.data, (v) => (v ? 1 : 0)) : f.data;
    feeds[f.name] = new ort.Tensor(f.type, data, f.dims);
  }
  const t0 = performance.now();
  const result = await session.run(feeds, msg.fetch);
  const ms = performance.now() - t0;
  const outputs = {};
  const transfer = [];
  for (const name of msg.fetch) {
    const t = result[name];
    let data = t.data;
    if (ArrayBuffer.isView(data)) {
      data = ownBuffer(data);
      transfer.push(data.buffer);
    }
    outputs[name] = { type: t.type, dims: Array.from(t.dims), data };
  }
  try {
    parentPort.postMessage({ type: 'result', id: msg.id, ms, outputs }, transfer);
  } catch {
    // Buffers owned by the native side may refuse to detach; send copies instead.
    parentPort.postMessage({ type: 'result', id: msg.id, ms, outputs });
  }
}

parentPort.on('message', (msg) => {
  if (msg.type !== 'run') return;
  run(msg).catch((err) => parentPort.postMessage({ type: 'error', id: msg.id, message: String((err && err.message) || err) }));
});

start().catch((err) => parentPort.postMessage({ type: 'fatal', message: String((err && err.message) || err) }));
`;
