import { execFile } from 'node:child_process';
import type { GitInfo } from '@mlops-actions/core';

/** Commit and dirty flag of the repository holding `dir`; empty for a directory outside git. */
export async function readGitInfo(dir: string): Promise<GitInfo> {
  const [commit, status] = await Promise.all([
    git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']),
    git(dir, ['status', '--porcelain']),
  ]);
  const info: GitInfo = {};
  if (commit) info.commit = commit.trim();
  if (status !== undefined) info.dirty = status.trim() !== '';
  return info;
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 30_000, windowsHide: true }, (err, stdout) => {
      resolve(err ? undefined : stdout);
    });
  });
}
