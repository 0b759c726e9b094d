import { EXIT_BAD_INPUT, InputError, TOOL_VERSION, UsageError, suggest } from '@mlops-actions/core';
import { STAGE_LIST } from '@mlops-actions/stages';
import type { Command } from './command.js';
import { wantsHelp } from './command.js';
import { gateCommand } from './commands/gate.js';
import { initCommand } from './commands/init.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { validateCommand } from './commands/validate.js';
import { stageCommand } from './stage-command.js';

export const COMMANDS: Command[] = [
  initCommand,
  runCommand,
  validateCommand,
  ...STAGE_LIST.map(stageCommand),
  serveCommand,
  reportCommand,
  gateCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mlops: carry an ML model from a pull request to production with honest gates.',
    '',
    'Usage: mlops <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 a gate failed, 2 bad usage or bad input.',
    "Run 'mlops <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the CLI and returns its exit code; errors are printed here, once, without stack traces. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : EXIT_BAD_INPUT;
  }
  if (name === '--version' || name === '-v') {
    console.log(TOOL_VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const hint = suggest(
      name,
      COMMANDS.map((c) => c.name),
    );
    console.error(`mlops: unknown command '${name}'${hint ? `; did you mean '${hint}'?` : ''}\n\n${usage()}`);
    return EXIT_BAD_INPUT;
  }
  if (wantsHelp(rest)) {
    console.log(command.usage.trim());
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) {
      console.error(err.message);
      return err.exitCode;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    console.error(`mlops ${name}: unexpected error: ${e.stack ?? e.message}`);
    return EXIT_BAD_INPUT;
  }
}
