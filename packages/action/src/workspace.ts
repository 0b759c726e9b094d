import { resolve } from 'node:path';

/** Paths in inputs are relative to the workspace, as in every other step of a workflow. */
export function workspacePath(p: string): string {
  return resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), p);
}
