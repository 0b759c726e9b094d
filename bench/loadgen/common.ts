import { execFile, spawn } from 'node:child_process';
import { cpus, loadavg, availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Child {
  url: string;
  stop: () => Promise<void>;
  durations: () => Promise<number[]>;
  reset: () => Promise<void>;
}

/** The test fixture server in its own process (see test/loadgen/fixtures/delay-server.mjs). */
export async function startServer(args: string[]): Promise<Child> {
  const script = new URL('../../test/loadgen/fixtures/delay-server.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    durations: async () =>
      ((await (await fetch(`${url}/stats`)).json()) as { durations: number[] }).durations,
    reset: async () => {
      await (await fetch(`${url}/reset`)).text();
    },
  };
}

/** `wrk --latency` → requests/s, p50 and p99 in ms. */
export async function wrk(url: string, connections: number, seconds: number, threads = 1) {
  const { stdout } = await run(
    '/usr/bin/wrk',
    ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script(), url],
    { maxBuffer: 1 << 20 },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return { rps, p50: pct('50'), p99: pct('99'), raw: stdout };
}

// The same POST body the generator sends, so both tools put the same bytes on the wire.
function script(): string {
  return new URL('./post.lua', import.meta.url).pathname;
}

/** autocannon (closed loop, its default) → requests/s, p50, p99 (ms). */
export async function autocannon(url: string, connections: number, seconds: number) {
  const bin = new URL('../../node_modules/.bin/autocannon', import.meta.url).pathname;
  const { stdout } = await run(
    bin,
    [
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      BODY,
      '-j',
      '-n',
      `${url}/v2/models/m/infer`,
    ],
    { maxBuffer: 16 << 20 },
  );
  const j = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number } };
  return { rps: j.requests.average, p50: j.latency.p50, p99: j.latency.p99 };
}

export const BODY = '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}';

export function machine(): string {
  return `nproc ${availableParallelism()}, cpu ${cpus()[0]?.model ?? '?'}, node ${process.version}, loadavg ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}`;
}
