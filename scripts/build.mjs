#!/usr/bin/env node
// Bundles every action (actions/<name>/src/main.ts) and the CLI (packages/cli/src/bin.ts) with ncc.
// `--check` builds into a temporary folder and fails when any committed bundle differs, because
// users run what is committed, not what the source says.
//
// The TypeScript is transpiled once (esbuild, no type checking: `npm run typecheck` does that)
// into .build/tree, a mirror of the workspace whose packages export JavaScript; ncc then bundles
// plain JavaScript, so no bundle pays for compiling and type-checking the shared packages again.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, mkdir, cp, stat, writeFile, symlink } from 'node:fs/promises';
import { transform } from 'esbuild';
import { tmpdir, availableParallelism } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

async function exists(p) {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

const tree = join(root, '.build', 'tree');

async function targets() {
  const list = [];
  for (const name of (await readdir(join(root, 'actions'))).sort()) {
    if (await exists(join(root, 'actions', name, 'src', 'main.ts')))
      list.push({
        name: `actions/${name}`,
        entry: join(tree, 'actions', name, 'src', 'main.js'),
        out: join(root, 'actions', name, 'dist'),
      });
  }
  list.push({
    name: 'packages/cli',
    entry: join(tree, 'packages', 'cli', 'src', 'bin.js'),
    out: join(root, 'packages', 'cli', 'dist'),
  });
  return only.length ? list.filter((t) => only.includes(t.name)) : list;
}

async function sourceFiles(dir) {
  const out = [];
  async function walk(d) {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') await walk(p);
      } else if (/\.(ts|json)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  }
  if (await exists(dir)) await walk(dir);
  return out;
}

/** Transpiles every package and action source once into the JavaScript mirror ncc bundles. */
async function transpileTree() {
  await rm(tree, { recursive: true, force: true });
  const files = [];
  for (const top of ['packages', 'actions']) {
    for (const name of await readdir(join(root, top))) {
      if (top === 'packages' && (await exists(join(root, top, name, 'package.json'))))
        files.push(join(root, top, name, 'package.json'));
      files.push(...(await sourceFiles(join(root, top, name, 'src'))));
    }
  }
  files.push(...(await sourceFiles(join(root, 'schemas'))));
  await Promise.all(
    files.map(async (file) => {
      const rel = relative(root, file);
      let target = join(tree, rel);
      let text = await readFile(file, 'utf8');
      if (rel.endsWith('package.json')) {
        // The mirror's packages export the emitted JavaScript.
        text = text.replace(/"\.\/src\/([^"]*)\.ts"/g, '"./src/$1.js"');
      } else if (rel.endsWith('.ts')) {
        target = target.replace(/\.ts$/, '.js');
        text = (await transform(text, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: rel }))
          .code;
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }),
  );
  await writeFile(join(tree, 'package.json'), '{ "type": "module", "private": true }\n');
  // The workspace packages resolve to the mirror; every other package to the root's node_modules.
  await mkdir(join(tree, 'node_modules', '@mlops-actions'), { recursive: true });
  for (const name of await readdir(join(tree, 'packages'))) {
    await symlink(join(tree, 'packages', name), join(tree, 'node_modules', '@mlops-actions', name), 'dir');
  }
}

function ncc(entry, out) {
  return new Promise((resolve, reject) => {
    const args = [
      join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'),
      'build',
      entry,
      '-o',
      out,
      '--target',
      'es2022',
      '--license',
      'licenses.txt',
      '-e',
      'onnxruntime-node',
      '--quiet',
    ];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ncc failed for ${entry}:\n${output}`)),
    );
  });
}

async function listFiles(dir) {
  const out = [];
  async function walk(d) {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p));
    }
  }
  if (await exists(dir)) await walk(dir);
  return out.sort();
}

async function compare(fresh, committed) {
  const a = await listFiles(fresh);
  const b = await listFiles(committed);
  const problems = [];
  for (const f of new Set([...a, ...b])) {
    if (!a.includes(f)) problems.push(`${f}: committed but no longer produced`);
    else if (!b.includes(f)) problems.push(`${f}: missing from the committed bundle`);
    else if (!(await readFile(join(fresh, f))).equals(await readFile(join(committed, f))))
      problems.push(`${f}: differs from a fresh build`);
  }
  return problems;
}

async function pool(items, size, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(size, queue.length) }, async () => {
      while (queue.length) await fn(queue.shift());
    }),
  );
}

const list = await targets();
const t0 = Date.now();
await transpileTree();
console.log(`transpiled the workspace once into ${relative(root, tree)} (${Date.now() - t0} ms)`);
const scratch = check ? await mkdtemp(join(tmpdir(), 'mlops-dist-')) : undefined;
const stale = [];
const started = Date.now();
await pool(list, Math.max(1, availableParallelism()), async (t) => {
  const t0 = Date.now();
  if (check) {
    const out = join(scratch, t.name);
    await mkdir(out, { recursive: true });
    await ncc(t.entry, out);
    const problems = await compare(out, t.out);
    if (problems.length) stale.push(`${t.name}/dist:\n  ${problems.join('\n  ')}`);
    console.log(`${problems.length ? 'STALE' : 'fresh'} ${t.name}/dist (${Date.now() - t0} ms)`);
  } else {
    const tmp = `${t.out}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await ncc(t.entry, tmp);
    await rm(t.out, { recursive: true, force: true });
    await cp(tmp, t.out, { recursive: true });
    await rm(tmp, { recursive: true, force: true });
    console.log(`built ${t.name}/dist (${Date.now() - t0} ms)`);
  }
});
if (scratch) await rm(scratch, { recursive: true, force: true });
await rm(join(root, '.build'), { recursive: true, force: true });
if (stale.length) {
  console.error(
    `\n${stale.length} bundle(s) are stale; run \`npm run build\` and commit dist/:\n${stale.join('\n')}`,
  );
  process.exit(1);
}
console.log(
  `${list.length} bundle(s) ${check ? 'checked' : 'built'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
