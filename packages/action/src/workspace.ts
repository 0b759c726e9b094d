import { resolve } from 'node:path';
import { loadSpec } from '@mlops-actions/core';
import type { Spec } from '@mlops-actions/core';
import { stringInput } from './inputs.js';

/** Paths in inputs are relative to the workspace, as in every other step of a workflow. */
export function workspacePath(p: string): string {
  return resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), p);
}

export function resultsDirInput(): string {
  return workspacePath(stringInput('results-dir', '.mlops'));
}

export async function specInput(): Promise<Spec> {
  return loadSpec(workspacePath(stringInput('spec', 'mlops.yml')));
}

export function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : undefined;
}
