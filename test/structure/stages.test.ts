import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../packages/cli/src/main.js';
import { STAGE_LIST } from '../../packages/stages/src/index.js';
import { REPO_ROOT } from '../helpers/runner.js';

const stageExport = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

// The structure the stage list promises: every stage is one folder plus its action, and the
// runner, CLI, report and actions reach it only through the list.
describe('the stage list', () => {
  it('names each stage, spec key, command and action once', () => {
    for (const key of ['name', 'specKey'] as const) {
      const values = STAGE_LIST.map((s) => s[key]);
      expect(new Set(values).size, key).toBe(values.length);
    }
    const commands = STAGE_LIST.map((s) => s.cli.command);
    expect(new Set(commands).size).toBe(commands.length);
    for (const s of STAGE_LIST) expect(s.name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('gives every stage its folder, its action and a CLI command', () => {
    const cli = COMMANDS.map((c) => c.name);
    for (const stage of STAGE_LIST) {
      const folder = readdirSync(join(REPO_ROOT, 'packages', 'stages', 'src')).find(
        (f) =>
          existsSync(join(REPO_ROOT, 'packages', 'stages', 'src', f, 'spec.schema.json')) &&
          readFileSync(join(REPO_ROOT, 'packages', 'stages', 'src', f, 'index.ts'), 'utf8').includes(
            `name: '${stage.name}'`,
          ),
      );
      expect(folder, `${stage.name}: a folder under packages/stages/src`).toBeDefined();
      expect(cli).toContain(stage.cli.command);
      const action = join(REPO_ROOT, 'actions', stage.action.name);
      expect(existsSync(join(action, 'action.yml')), `${stage.action.name}/action.yml`).toBe(true);
      const main = readFileSync(join(action, 'src', 'main.ts'), 'utf8');
      expect(main.trim()).toBe(
        [
          "import { runStageAction } from '@mlops-actions/action';",
          `import { ${stageExport(stage.name)} } from '@mlops-actions/stages';`,
          '',
          `await runStageAction(${stageExport(stage.name)});`,
        ].join('\n'),
      );
    }
  });

  it('leaves no switch or order list on stage names outside the stage folders', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (!['node_modules', 'dist'].includes(e.name)) walk(p);
        } else if (p.endsWith('.ts')) {
          const text = readFileSync(p, 'utf8');
          for (const s of STAGE_LIST) {
            if (text.includes(`case '${s.name}':`) || text.includes(`stage === '${s.name}'`)) {
              offenders.push(`${p}: ${s.name}`);
            }
          }
        }
      }
    };
    for (const top of ['packages/core', 'packages/cli', 'packages/action', 'packages/github']) {
      walk(join(REPO_ROOT, top, 'src'));
    }
    walk(join(REPO_ROOT, 'packages/stages/src/pipeline.ts').replace(/pipeline\.ts$/, ''));
    expect(offenders.filter((o) => !/packages\/stages\/src\/[a-z-]+\//.test(o))).toEqual([]);
  });

  it('composes schemas/mlops.schema.json from the parts in stage-list order', () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'mlops.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const keys = Object.keys(schema.properties);
    expect(keys.slice(-STAGE_LIST.length)).toEqual(STAGE_LIST.map((s) => s.specKey));
    for (const s of STAGE_LIST) expect(schema.properties[s.specKey]).toEqual(s.schema.property);
  });

  it('keeps every action entry point the same few lines', () => {
    for (const name of readdirSync(join(REPO_ROOT, 'actions'))) {
      const main = join(REPO_ROOT, 'actions', name, 'src', 'main.ts');
      if (!existsSync(main)) continue;
      const lines = readFileSync(main, 'utf8')
        .split('\n')
        .filter((l) => l.trim());
      expect(lines.length, name).toBeLessThanOrEqual(3);
    }
  });
});
