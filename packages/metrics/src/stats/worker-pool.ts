import { Worker } from 'node:worker_threads';
import { createKernel } from '../kernel.js';
import type { KernelJob } from '../kernel.js';

/**
 * Worker source built from the kernel's own text, so an ncc bundle needs no separate worker file.
 * `__name` is esbuild's keepNames helper (tsx, vitest); the kernel's text may call it.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const __name = (f) => f;
const kernel = (${createKernel.toString()})();
parentPort.on('message', (job) => {
  kernel.runReplicates(job);
  parentPort.postMessage('done');
});
`;

/** Runs each job in its own worker thread; jobs write into SharedArrayBuffer-backed outputs. */
export async function runInWorkers(jobs: KernelJob[]): Promise<void> {
  const workers = jobs.map(() => new Worker(WORKER_SOURCE, { eval: true }));
  try {
    await Promise.all(
      jobs.map(
        (job, i) =>
          new Promise<void>((resolve, reject) => {
            const worker = workers[i] as Worker;
            worker.once('message', () => resolve());
            worker.once('error', reject);
            worker.once('exit', (code) =>
              reject(new Error(`bootstrap worker exited early with code ${code}`)),
            );
            worker.postMessage(job);
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
