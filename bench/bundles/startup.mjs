#!/usr/bin/env node
// Size of every committed bundle (entry file and lazy chunks) and its start-up time: `node
// dist/index.js` with no inputs (an action then fails at once on its missing inputs, after loading
// everything it loads eagerly), median of N runs, next to `node -e 0` measured in the same run.
//
//   node bench/bundles/startup.mjs [runs=7]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.argv[2] ?? 7);
const cwd = mkdtempSync(join(tmpdir(), 'bundle-start-'));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(args) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    // An empty environment of inputs: no INPUT_*, no GITHUB_*; a scratch working directory.
    spawnSync(process.execPath, args, { cwd, stdio: 'ignore', env: { PATH: process.env.PATH } });
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(out);
}

const targets = [
  ...readdirSync(join(root, 'actions'))
    .filter((a) => a !== 'lib')
    .map((a) => join('actions', a, 'dist')),
  join('packages', 'cli', 'dist'),
].filter((d) => {
  try {
    return statSync(join(root, d, 'index.js')).isFile();
  } catch {
    return false;
  }
});
const base = time(['-e', '0']);
console.log(`node -e 0: ${base.toFixed(0)} ms (median of ${runs})`);
console.log('| bundle | index.js | lazy chunks | start-up | minus node -e 0 |');
console.log('| - | -: | -: | -: | -: |');
for (const d of targets) {
  // An action's index.js is its entry point into the shared bundle (actions/lib/dist): count both.
  const dir = d.startsWith('actions') ? join('actions', 'lib', 'dist') : d;
  const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.js'));
  const own = dir === d ? 0 : statSync(join(root, d, 'index.js')).size;
  const entry = own + statSync(join(root, dir, 'index.js')).size;
  const chunks = files
    .filter((f) => f !== 'index.js')
    .reduce((n, f) => n + statSync(join(root, dir, f)).size, 0);
  const ms = time([join(root, d, 'index.js'), ...(d.startsWith('packages') ? ['--version'] : [])]);
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
  console.log(`| ${d} | ${mb(entry)} | ${mb(chunks)} | ${ms.toFixed(0)} ms | ${(ms - base).toFixed(0)} ms |`);
}
