#!/usr/bin/env node
// Generates the README's action reference (inputs and outputs of every actions/*/action.yml), so
// the documentation cannot drift from the metadata GitHub reads. --write README.md updates the
// block between the markers; --check README.md exits 1 when it is stale.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- actions-reference:start -->';
const END = '<!-- actions-reference:end -->';
const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

async function render() {
  const out = [];
  for (const name of (await readdir(join(root, 'actions'), { withFileTypes: true }))
    // actions/lib is the shared bundle the actions run, not an action.
    .filter((e) => e.isDirectory() && e.name !== 'lib')
    .map((e) => e.name)
    .sort()) {
    const doc = parse(await readFile(join(root, 'actions', name, 'action.yml'), 'utf8'));
    out.push(
      `#### \`${name}\``,
      '',
      doc.description,
      '',
      `\`uses: mlops-actions/mlops-actions/actions/${name}@v0\``,
      '',
    );
    out.push('| input | default | description |', '| - | - | - |');
    for (const [k, v] of Object.entries(doc.inputs ?? {})) {
      out.push(
        `| \`${k}\` | ${v.default !== undefined ? `\`${cell(v.default)}\`` : ''} | ${cell(v.description)} |`,
      );
    }
    out.push('', '| output | description |', '| - | - |');
    for (const [k, v] of Object.entries(doc.outputs ?? {})) out.push(`| \`${k}\` | ${cell(v.description)} |`);
    out.push('');
  }
  return out.join('\n');
}

const [mode, file] = process.argv.slice(2);
const block = await render();
if (!mode) {
  console.log(block);
} else {
  const text = await readFile(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) {
    console.error(`${file}: markers ${START} … ${END} not found`);
    process.exit(2);
  }
  const next = `${text.slice(0, a + START.length)}\n${block}\n${text.slice(b)}`;
  if (mode === '--write') await writeFile(file, next);
  else if (mode === '--check' && next !== text) {
    console.error(
      `${file}: the action reference is stale; run node scripts/actions-reference.mjs --write ${file}`,
    );
    process.exit(1);
  }
}
