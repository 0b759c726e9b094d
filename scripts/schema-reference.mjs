#!/usr/bin/env node
/**
 * Markdown reference of mlops.yml, generated from schemas/mlops.schema.json so the docs cannot
 * drift from what the loader accepts.
 *
 *   node scripts/schema-reference.mjs                  print the reference
 *   node scripts/schema-reference.mjs --write FILE     replace the block between the markers in FILE
 *   node scripts/schema-reference.mjs --check FILE     exit 1 when FILE's block is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const START = '<!-- mlops-reference:start -->';
const END = '<!-- mlops-reference:end -->';
const schemaFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'mlops.schema.json');

/** Names for definitions that read better than their structure. */
const REF_NAMES = {
  duration: 'duration (`30s`, `5m`, `1h30m`)',
  metricName: 'metric name',
  gates: 'list of [gates](#gates)',
  gate: '[gate](#gates)',
  baseline: '[baseline](#baseline)',
  rate: 'number or `N/s`, `N/m`, `N/h`',
  changeLimit: 'number or percentage (`"1%"`)',
  slice: 'column name or `{ column, min-size, bins }`',
};

function resolve(schema, root) {
  if (schema && schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    return { name, target: { ...root.definitions[name], ...withoutRef(schema) } };
  }
  return { name: undefined, target: schema };
}

function withoutRef(schema) {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

const code = (v) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function typeOf(schema, root) {
  const { name, target } = resolve(schema, root);
  if (name && REF_NAMES[name]) return REF_NAMES[name];
  if (target.enum) return target.enum.map(code).join(' | ');
  if (target.const !== undefined) return code(target.const);
  if (target.type === 'array') return `list of ${typeOf(target.items ?? {}, root)}`;
  if (Array.isArray(target.type)) return target.type.join(' or ');
  if (
    target.type === 'object' &&
    target.additionalProperties &&
    typeof target.additionalProperties === 'object'
  ) {
    return `map of ${typeOf(target.additionalProperties, root)}`;
  }
  return target.type ?? 'any';
}

const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');

/** Rows for an object's properties; nested objects with their own properties are flattened (`canary.steps`). */
function rows(schema, root, prefix = '') {
  const out = [];
  const required = new Set(schema.required ?? []);
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const { name, target } = resolve(raw, root);
    const dotted = `${prefix}${key}`;
    const nested = !name && target.type === 'object' && target.properties;
    const type = nested ? 'object' : typeOf(raw, root);
    const def = target.default !== undefined ? code(target.default) : required.has(key) ? '**required**' : '';
    out.push(`| \`${dotted}\` | ${cell(type)} | ${cell(def)} | ${cell(target.description)} |`);
    if (nested) out.push(...rows(target, root, `${dotted}.`));
  }
  return out;
}

function table(schema, root) {
  return ['| key | type | default | description |', '| --- | --- | --- | --- |', ...rows(schema, root)].join(
    '\n',
  );
}

export function renderReference(root) {
  const parts = ['## mlops.yml reference', '', cell(root.description), ''];
  const topLevel = { properties: {}, required: root.required };
  const sections = [];
  for (const [key, prop] of Object.entries(root.properties)) {
    if (prop.type === 'object' && prop.properties) sections.push([key, prop]);
    else topLevel.properties[key] = prop;
  }
  parts.push('### Top level', '', table(topLevel, root), '');
  for (const [key, prop] of sections) {
    parts.push(`### ${key}`, '', cell(prop.description), '', table(prop, root), '');
  }
  const defs = root.definitions;
  parts.push('### Gates', '', cell(defs.gates.description), '');
  parts.push('An expression gate is a string (`"p(99) < 50ms"`) or `{ expr: "..." }`.', '');
  for (const name of ['metricGate', 'testsGate']) {
    parts.push(`#### ${defs[name].title}`, '', cell(defs[name].description), '', table(defs[name], root), '');
  }
  parts.push('### Baseline', '', cell(defs.baseline.description), '');
  for (const name of ['baselinePath', 'baselineArtifact', 'baselineRegistry', 'baselineStore']) {
    parts.push(`#### \`${defs[name].title}\``, '', table(defs[name], root), '');
  }
  parts.push('### Metric names', '', defs.metricName.enum.map(code).join(', '), '');
  return `${parts.join('\n').trimEnd()}\n`;
}

function replaceBlock(text, reference, file) {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`${file}: markers ${START} ... ${END} not found`);
  }
  return `${text.slice(0, start + START.length)}\n${reference}${text.slice(end)}`;
}

function main(argv) {
  const root = JSON.parse(readFileSync(schemaFile, 'utf8'));
  const reference = renderReference(root);
  const [flag, file] = argv;
  if (!flag) {
    process.stdout.write(reference);
    return 0;
  }
  if ((flag !== '--write' && flag !== '--check') || !file) {
    process.stderr.write('usage: schema-reference.mjs [--write FILE | --check FILE]\n');
    return 2;
  }
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`${file}: cannot read: ${err.message}\n`);
    return 2;
  }
  let updated;
  try {
    updated = replaceBlock(text, reference, file);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (flag === '--write') {
    if (updated !== text) writeFileSync(file, updated);
    return 0;
  }
  if (updated !== text) {
    process.stderr.write(
      `${file}: the mlops.yml reference is stale; run node scripts/schema-reference.mjs --write ${file}\n`,
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
