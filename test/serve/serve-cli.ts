/**
 * Runs `mlops serve` through the CLI's own main() (its error handling and exit codes) as a child
 * process for tests; registers the command if the CLI's table does not list it yet.
 */
import { COMMANDS, main } from '../../packages/cli/src/main.js';
import { serveCommand } from '../../packages/cli/src/commands/serve.js';

if (!COMMANDS.some((c) => c.name === 'serve')) COMMANDS.push(serveCommand);
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
