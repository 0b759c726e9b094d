/**
 * schemas/mlops.schema.json is composed, not written: the shared parts come from
 * packages/core/src/spec/spec.schema.json and each stage's section from its folder's
 * spec.schema.json, in stage-list order. `--check` fails when the committed file differs.
 *
 *   npx tsx scripts/compose-schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import coreSchema from '../packages/core/src/spec/spec.schema.json' with { type: 'json' };
import { STAGE_LIST } from '../packages/stages/src/list.js';

const target = fileURLToPath(new URL('../schemas/mlops.schema.json', import.meta.url));

export function composeSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...coreSchema.properties };
  const definitions: Record<string, unknown> = { ...coreSchema.definitions };
  for (const stage of STAGE_LIST) {
    if (properties[stage.specKey]) throw new Error(`${stage.name}: spec key '${stage.specKey}' is taken`);
    properties[stage.specKey] = stage.schema.property;
    for (const [name, def] of Object.entries(stage.schema.definitions ?? {})) {
      if (definitions[name]) throw new Error(`${stage.name}: schema definition '${name}' is taken`);
      definitions[name] = def;
    }
  }
  const names = STAGE_LIST.map((s) => s.specKey).join(', ');
  return {
    ...coreSchema,
    description: `${coreSchema.description.replace(/\s*Stages: .*$/, '')} Stages: ${names}.`,
    properties,
    definitions,
  };
}

const text = `${JSON.stringify(composeSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(`${target} is stale: run 'npx tsx scripts/compose-schema.ts'`);
    process.exit(1);
  }
  console.log(`${target}: current`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
