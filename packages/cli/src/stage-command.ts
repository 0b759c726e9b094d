import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_GATE_FAILED, UsageError, stageResultPath } from '@mlops-actions/core';
import type { StageResult } from '@mlops-actions/core';
import { loadSpec } from '@mlops-actions/stages';
import type { AnyStageDefinition, FlagOptions } from '@mlops-actions/stages';
import type { Command } from './command.js';
import { parseCommandArgs } from './command.js';
import { localContext } from './local-context.js';

/** Options every stage command takes. */
const COMMON: FlagOptions = {
  spec: { type: 'string' },
  out: { type: 'string', default: '.mlops' },
};

/** The results directory must be usable before long work starts, not after it. */
export function checkOutDir(out: string, flag = '--out'): void {
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`${flag} ${out}: exists and is not a directory`);
  }
}

export function printResult(result: StageResult, file?: string): number {
  console.log(`${result.stage}: ${result.status}: ${result.summary}`);
  for (const v of result.verdicts)
    console.log(`  ${v.status.toUpperCase().padEnd(4)}  ${v.gate}: ${v.reason}`);
  if (result.status === 'error' && result.error) console.error(result.error);
  if (file) console.log(`results: ${file}`);
  return result.status === 'passed' || result.status === 'skipped' ? 0 : EXIT_GATE_FAILED;
}

/** `mlops <stage>`: flags → settings → configure → run, as the stage's action does with inputs. */
export function stageCommand(stage: AnyStageDefinition): Command {
  const { cli } = stage;
  return {
    name: cli.command,
    summary: cli.summary,
    usage: cli.usage,
    async run(argv) {
      const { values, positionals } = parseCommandArgs(
        cli.command,
        argv,
        { ...COMMON, ...cli.options },
        cli.positionals ?? false,
      );
      const settings = cli.settings(values, positionals);
      const out = resolve(values.out as string);
      checkOutDir(out);
      const standalone = cli.standalone?.(values) ?? false;
      const spec = standalone
        ? undefined
        : await loadSpec((values.spec as string | undefined) ?? 'mlops.yml');
      const ctx = localContext({ out, cacheDir: values['cache-dir'] as string | undefined, spec });
      const config = await stage.configure(spec, settings, ctx);
      const result = await stage.run(config, ctx);
      const written = result.status === 'skipped' ? undefined : stageResultPath(out, stage.name);
      return printResult(result, written);
    },
  };
}
