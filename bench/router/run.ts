/**
 * Router benchmark: latency the canary router adds at 1,000 req/s (open model, latency from the
 * intended send time, @mlops-actions/loadgen) and its throughput (wrk, closed loop) next to
 * Debian's nginx proxying the same two upstreams with a weighted upstream (90/10) in the same run.
 * The router runs in its own process; nginx runs one worker (the router is one thread).
 *
 *   npx tsx bench/router/run.ts [--seconds 10] [--rounds 3] [--rate 1000] [--wrk-connections 64]
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '@mlops-actions/loadgen';
import { freePort } from '@mlops-actions/deploy';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'wrk-connections': { type: 'string', default: '64' },
    rate: { type: 'string', default: '1000' },
  },
});
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const here = fileURLToPath(new URL('.', import.meta.url));
const children: ChildProcess[] = [];
const luaFile = join(tmpdir(), `mlops-bench-post-${process.pid}.lua`);

function startChild(cmd: string, argv: string[], match: RegExp): Promise<string> {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = match.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`${cmd} exited ${c}`)));
  });
}

async function waitHttp(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

const body = Buffer.from(
  JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
);
const requests = [
  { method: 'POST', path: '/v2/models/m/infer', headers: { 'content-type': 'application/json' }, body },
];

async function latencyAt(url: string) {
  const r = await runLoad({
    url,
    requests,
    rate,
    durationMs: seconds * 1000,
    warmupMs: 2000,
    connections: 32,
  });
  return {
    p50: r.latency?.p50 ?? NaN,
    p90: r.latency?.p90 ?? NaN,
    p99: r.latency?.p99 ?? NaN,
    errors: r.errors,
    requests: r.requests,
  };
}

function wrk(url: string): Promise<{ rps: number; p99ms: number; errors: string }> {
  const script = luaFile;
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      [
        '-t2',
        `-c${args['wrk-connections']}`,
        `-d${seconds}s`,
        '--latency',
        '-s',
        script,
        `${url}/v2/models/m/infer`,
      ],
      { maxBuffer: 1 << 20 },
      (err, stdout) => {
        if (err) return reject(err);
        const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
        const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
        const p99ms = p99
          ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[p99[2]!]!
          : NaN;
        const errors = /Non-2xx or 3xx responses: \d+|Socket errors: [^\n]+/.exec(stdout)?.[0] ?? 'none';
        resolve({ rps, p99ms, errors });
      },
    );
  });
}

async function main() {
  await writeFile(
    luaFile,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body.toString())}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const stable = await startChild(
    process.execPath,
    [join(here, 'upstream.mjs'), 'stable'],
    /listening (\S+)/,
  );
  const canary = await startChild(
    process.execPath,
    [join(here, 'upstream.mjs'), 'canary'],
    /listening (\S+)/,
  );
  const router = await startChild(
    process.execPath,
    ['--import', 'tsx', join(here, 'router-process.ts'), stable, canary, '10'],
    /router (\S+)/,
  );
  const dir = await mkdtemp(join(tmpdir(), 'bench-nginx-'));
  const nginxPort = await freePort();
  const hostport = (u: string) => new URL(u).host;
  await writeFile(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream model {
    server ${hostport(stable)} weight=90;
    server ${hostport(canary)} weight=10;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://model;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'inherit' });
  children.push(nginx);
  const nginxUrl = `http://127.0.0.1:${nginxPort}`;
  await waitHttp(nginxUrl);
  await waitHttp(router);

  // Interleaved rounds, medians reported: the machine is shared, so one slow moment must not
  // land on one contender only.
  const rounds = Number(args.rounds);
  type Lat = Awaited<ReturnType<typeof latencyAt>>;
  type Tput = Awaited<ReturnType<typeof wrk>>;
  const runs: {
    lat: Record<'direct' | 'router' | 'nginx', Lat>;
    tput: Record<'direct' | 'router' | 'nginx', Tput>;
  }[] = [];
  for (let r = 0; r < rounds; r++) {
    const lat = {
      direct: await latencyAt(stable),
      router: await latencyAt(router),
      nginx: await latencyAt(nginxUrl),
    };
    const tput = { direct: await wrk(stable), router: await wrk(router), nginx: await wrk(nginxUrl) };
    runs.push({ lat, tput });
    console.error(
      `round ${r + 1}: p99 direct ${lat.direct.p99.toFixed(2)} router ${lat.router.p99.toFixed(2)} nginx ${lat.nginx.p99.toFixed(2)} ms; rps router ${tput.router.rps} nginx ${tput.nginx.rps}`,
    );
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const who = ['direct', 'router', 'nginx'] as const;
  const lat = Object.fromEntries(
    who.map((w) => [
      w,
      {
        p50: median(runs.map((x) => x.lat[w].p50)),
        p90: median(runs.map((x) => x.lat[w].p90)),
        p99: median(runs.map((x) => x.lat[w].p99)),
        errors: runs.reduce((s, x) => s + x.lat[w].errors, 0),
      },
    ]),
  ) as Record<(typeof who)[number], { p50: number; p90: number; p99: number; errors: number }>;
  const tput = Object.fromEntries(
    who.map((w) => [
      w,
      { rps: median(runs.map((x) => x.tput[w].rps)), errors: runs.map((x) => x.tput[w].errors).join(', ') },
    ]),
  ) as Record<(typeof who)[number], { rps: number; errors: string }>;
  const addedP99 = {
    router: median(runs.map((x) => x.lat.router.p99 - x.lat.direct.p99)),
    nginx: median(runs.map((x) => x.lat.nginx.p99 - x.lat.direct.p99)),
  };
  const addedP50 = {
    router: median(runs.map((x) => x.lat.router.p50 - x.lat.direct.p50)),
    nginx: median(runs.map((x) => x.lat.nginx.p50 - x.lat.direct.p50)),
  };
  const cpu = cpus()[0]?.model ?? 'unknown';
  const out = {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu,
    node: process.version,
    seconds,
    rate,
    rounds,
    latencyMs: lat,
    addedP50Ms: addedP50,
    addedP99Ms: addedP99,
    throughput: tput,
    perRound: runs,
    routerVsNginxThroughput: tput.router.rps / tput.nginx.rps,
  };
  console.log(JSON.stringify(out, null, 2));
  console.log(
    `\nadded p99 at ${rate}/s (median of ${rounds}): router ${out.addedP99Ms.router.toFixed(3)} ms, nginx ${out.addedP99Ms.nginx.toFixed(3)} ms; added p50 router ${out.addedP50Ms.router.toFixed(3)} ms, nginx ${out.addedP50Ms.nginx.toFixed(3)} ms` +
      `\nthroughput: router ${tput.router.rps.toFixed(0)}/s, nginx ${tput.nginx.rps.toFixed(0)}/s, ratio ${out.routerVsNginxThroughput.toFixed(2)}`,
  );
  await rm(dir, { recursive: true, force: true });
  await rm(luaFile, { force: true });
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
