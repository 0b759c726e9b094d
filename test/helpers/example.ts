import { cp, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './runner.js';

/**
 * A private copy of examples/ (with the repository's node_modules linked beside it), so tests
 * that train and write results never touch the committed example or each other.
 */
export async function copyExamples(): Promise<{ root: string; example: (name: string) => string }> {
  const root = await mkdtemp(join(tmpdir(), 'mlops-example-'));
  await cp(join(REPO_ROOT, 'examples'), join(root, 'examples'), {
    recursive: true,
    filter: (src) => !/[\\/](artifacts|\.mlops)([\\/]|$)/.test(src),
  });
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await cp(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  return { root, example: (name) => join(root, 'examples', name) };
}
